import type { PinRate } from '../../../../protocol/index.js';
import type { HubApi } from '../../lib/api/hub-api.js';
import { ValueStore } from '../../lib/store.js';
import type { PinSeries } from './rate-math.js';

/** How often every pin's counts are brought up to date (the hub counts in 10 s buckets). */
const RATE_REFRESH_MS = 10_000;
/** What a sparkline shows. */
const SPARK_WINDOW_MS = 60 * 60 * 1000;
/** Rate requests in flight at once, so 200 pins do not queue 200 requests ahead of everything else. */
const MAX_IN_FLIGHT = 4;

export interface PinRateState {
  series: PinSeries | undefined;
  /** Why the last refresh failed; the previous series (if any) is still shown. */
  error: string | undefined;
}

export interface PinRatesOptions {
  api: Pick<HubApi, 'pinRate'>;
  /** Start of the last deploy at or before `at` (hub clock), which decides how far back counts are needed. */
  lastDeployAt(at: number): number | undefined;
  now?: () => number;
  /** Skips refreshes nobody can see (a background tab). */
  isHidden?: () => boolean;
  refreshMs?: number;
  windowMs?: number;
}

interface FetchMeta {
  /** The `since` of the last full fetch: the hub had nothing before it when the answer was truncated. */
  askedSince: number;
}

/**
 * Keeps the match counts of every pin in the bar fresh, cheaply. The first fetch asks for what the
 * graph and the deploy comparison need; after that only the bucket that was still filling and the
 * ones since are fetched (closed buckets never change: they count by the hub's clock at ingest).
 * When the last deploy lies so far back that its "before" span is not held, one fetch goes back
 * twice as far as needed, so a slowly growing span costs a logarithmic number of full fetches.
 */
export class PinRates extends ValueStore<ReadonlyMap<string, PinRateState>> {
  private readonly tracked = new Set<string>();
  private readonly meta = new Map<string, FetchMeta>();
  /** Pins whose next fetch must be a full one. */
  private readonly stale = new Set<string>();
  private readonly inFlight = new Map<string, AbortController>();
  private queue: string[] = [];
  /** Answers not yet committed: a round commits once, so a bar of 200 pins renders once per refresh, not 200 times. */
  private readonly staged = new Map<string, PinRateState>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;
  private readonly isHidden: () => boolean;
  readonly windowMs: number;
  private readonly onVisible = () => {
    if (!this.isHidden()) void this.refresh();
  };

  constructor(private readonly options: PinRatesOptions) {
    super(new Map());
    this.now = options.now ?? Date.now;
    this.isHidden = options.isHidden ?? (() => typeof document !== 'undefined' && document.visibilityState === 'hidden');
    this.windowMs = options.windowMs ?? SPARK_WINDOW_MS;
  }

  /** Follows exactly these pins: new ones are fetched at once, others are forgotten. */
  track(pinIds: readonly string[]): void {
    const wanted = new Set(pinIds);
    const added = pinIds.filter((id) => !this.tracked.has(id));
    const removed = [...this.tracked].filter((id) => !wanted.has(id));
    for (const id of removed) {
      this.tracked.delete(id);
      this.staged.delete(id);
      this.stale.delete(id);
      this.meta.delete(id);
      this.inFlight.get(id)?.abort();
      this.inFlight.delete(id);
    }
    for (const id of added) this.tracked.add(id);
    if (removed.length > 0) {
      this.update((map) => {
        const next = new Map(map);
        for (const id of removed) next.delete(id);
        return next;
      });
    }
    if (added.length > 0) void this.refresh(added);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (!this.isHidden()) void this.refresh();
    }, this.options.refreshMs ?? RATE_REFRESH_MS);
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisible);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisible);
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.queue = [];
    this.staged.clear();
  }

  /**
   * Fetches every pin's whole window again, now (after a reconnect: the hub may have restarted and
   * lost its last unflushed seconds). The graphs keep showing what they had meanwhile.
   */
  reset(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.queue = [];
    this.staged.clear();
    for (const id of this.tracked) this.stale.add(id);
    void this.refresh();
  }

  /** Fetches one pin's whole window again, now: its older buckets changed (filled from history). */
  invalidate(id: string): void {
    if (!this.tracked.has(id)) return;
    this.inFlight.get(id)?.abort();
    this.inFlight.delete(id);
    this.stale.add(id);
    void this.refresh([id]);
  }

  /** One round over `ids` (default: every tracked pin), at most MAX_IN_FLIGHT requests at a time. Resolves when done. */
  async refresh(ids: readonly string[] = [...this.tracked]): Promise<void> {
    for (const id of ids) if (!this.queue.includes(id) && !this.inFlight.has(id)) this.queue.push(id);
    const workers: Promise<void>[] = [];
    while (this.inFlight.size + workers.length < MAX_IN_FLIGHT && this.queue.length > 0) workers.push(this.work());
    await Promise.all(workers);
    this.commitStaged();
  }

  private commitStaged(): void {
    if (this.staged.size === 0) return;
    const next = new Map(this.getSnapshot());
    for (const [id, state] of this.staged) if (this.tracked.has(id)) next.set(id, state);
    this.staged.clear();
    this.set(next);
  }

  private async work(): Promise<void> {
    for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
      if (this.tracked.has(id) && !this.inFlight.has(id)) await this.fetchOne(id);
    }
  }

  private async fetchOne(id: string): Promise<void> {
    const previous = (this.staged.get(id) ?? this.getSnapshot().get(id))?.series;
    const clientNow = this.now();
    // The hub's clock is at least where the last answer left it; the client's clock otherwise.
    const hubNow = Math.max(clientNow, previous?.countedTo ?? Number.NEGATIVE_INFINITY);
    const need = this.neededFrom(hubNow);
    const keepFrom = hubNow - 2 * (hubNow - need);
    const full = previous === undefined || this.stale.has(id) || this.lacks(id, previous, need);
    const since = full ? keepFrom : previous.currentTs;
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    try {
      const answer = await this.options.api.pinRate(id, since, controller.signal);
      if (controller.signal.aborted || !this.tracked.has(id)) return;
      if (full) {
        this.meta.set(id, { askedSince: since });
        this.stale.delete(id);
      }
      const series = merge(full ? undefined : previous, answer, since, this.now(), keepFrom);
      this.put(id, { series: series ?? previous, error: series ? undefined : 'the hub answered without any bucket' });
    } catch (error) {
      if (controller.signal.aborted || !this.tracked.has(id)) return;
      this.put(id, { series: previous, error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.inFlight.get(id) === controller) this.inFlight.delete(id);
    }
  }

  /** The earliest time the graph and the deploy comparison need counts from. */
  private neededFrom(hubNow: number): number {
    const graph = hubNow - this.windowMs;
    const deployAt = this.options.lastDeployAt(hubNow);
    if (deployAt === undefined) return graph;
    // "Before" spans as long as "since": it starts as far before the deploy as now is after it.
    return Math.min(graph, deployAt - (hubNow - deployAt));
  }

  /** The held series starts after `need`, and the hub has not already said it has nothing older. */
  private lacks(id: string, series: PinSeries, need: number): boolean {
    const first = series.buckets[0];
    if (first === undefined) return true;
    if (first.ts <= Math.floor(need / series.bucketMs) * series.bucketMs) return false;
    const meta = this.meta.get(id);
    return !(series.truncated && meta !== undefined && meta.askedSince <= need);
  }

  private put(id: string, state: PinRateState): void {
    this.staged.set(id, state);
  }
}

/**
 * The series after an answer: the answer alone (a full fetch) or the held buckets before the
 * answer's first one plus the answer (the answer starts at the bucket that was still filling).
 * Buckets before `keepFrom` are dropped. Undefined when the answer holds no bucket at all.
 */
export function merge(previous: PinSeries | undefined, answer: PinRate, since: number, clientNow: number, keepFrom: number): PinSeries | undefined {
  const first = answer.buckets[0];
  const last = answer.buckets[answer.buckets.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const { bucketMs } = answer;
  const incremental = previous !== undefined && previous.bucketMs === bucketMs;
  const held = incremental ? previous.buckets.filter((bucket) => bucket.ts < first.ts) : [];
  const keepBucket = Math.floor(keepFrom / bucketMs) * bucketMs;
  const buckets = [...held, ...answer.buckets].filter((bucket) => bucket.ts >= keepBucket);
  return {
    bucketMs,
    buckets,
    currentTs: last.ts,
    // The hub answered within its current bucket; the client's clock says where in it, unless it is off by more.
    countedTo: Math.min(Math.max(clientNow, last.ts), last.ts + bucketMs - 1),
    truncated: incremental ? previous.truncated : first.ts > Math.floor(since / bucketMs) * bucketMs,
  };
}
