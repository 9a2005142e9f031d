import type { Counter } from 'prom-client';
import type { CreatePin, FilterSpec, Pin, PinEvent } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { ApiFailure } from '../api/api-failure.js';
import type { MatchRouter, RoutedSubscription } from '../filter/match-router.js';
import type { HubMetrics } from '../metrics.js';
import type { SourceRef } from '../filter/batch-lines.js';
import type { PinRecords } from '../storage/record-stores.js';
import { buildPin } from '../storage/records.js';
import type { PinCounter } from './pin-counter.js';
import type { PinSeam } from './pin-backfill.js';
import { pinStatName, sanitizeMetricSegment } from './statsd-key.js';
import type { StatsdSink } from './statsd-sink.js';

export interface PinTrackerDeps {
  store: PinRecords;
  router: MatchRouter;
  counter: Pick<PinCounter, 'add' | 'forget'>;
  /**
   * Which sources' lines count (absent: all). In a cluster each hub counts only its own agents'
   * lines, so the hubs' counts add up to each line once.
   */
  countsSource?: ((source: SourceRef) => boolean) | undefined;
  metrics: HubMetrics;
  /** Absent when the hub runs without --statsd. */
  statsd: StatsdSink | undefined;
  /** Tells every open UI that a pin came or went. */
  broadcast(event: PinEvent): void;
  logger: Logger;
  maxPins: number;
  /**
   * With history: where the stream ends now (taken when a pin starts counting), and the backfill
   * of a pin's buckets before that seam (pin-backfill.ts), resolving with where its counts begin.
   */
  history?:
    | {
        streamEnds(): ReadonlyMap<number, number>;
        backfill(pinId: string, spec: FilterSpec, seam: PinSeam, signal: AbortSignal): Promise<number>;
      }
    | undefined;
  now(): number;
}

interface TrackedPin {
  pin: Pin;
  /** StatsD name, before the prefix. */
  stat: string;
  series: Counter.Internal;
  /** Undefined for a stored pin whose filter no longer compiles: listed, not counted. */
  subscription: RoutedSubscription | undefined;
  /** Set while the pin's buckets before its seam are being filled from history. */
  backfill: AbortController | undefined;
}

/** The filter fields of a pin, without its name and record fields. */
function filterOf(pin: CreatePin): FilterSpec {
  const spec: FilterSpec = { query: pin.query };
  if (pin.exclude !== undefined) spec.exclude = pin.exclude;
  if (pin.caseInsensitive !== undefined) spec.caseInsensitive = pin.caseInsensitive;
  if (pin.hosts !== undefined) spec.hosts = pin.hosts;
  if (pin.files !== undefined) spec.files = pin.files;
  return spec;
}

/**
 * The hub's pins: each holds a subscription on the shared MatchRouter for as long as the pin
 * exists, whether or not anyone watches, so a pin with the same filter as a viewer adds no
 * evaluation. Every batch's matches go to the bucket counter, the Prometheus series and StatsD.
 */
export class PinTracker {
  /** In creation order (the database's order at start-up, then appended). */
  private readonly pins = new Map<string, TrackedPin>();

  constructor(private readonly deps: PinTrackerDeps) {}

  /** Loads the stored pins and starts counting them. */
  start(): void {
    for (const pin of this.deps.store.list()) this.load(pin);
  }

  private load(pin: Pin, seam?: { at: number }): TrackedPin {
    let tracked: TrackedPin | undefined;
    let subscription: RoutedSubscription | undefined;
    let ends: ReadonlyMap<number, number> | undefined;
    try {
      subscription = this.subscribe(filterOf(pin), (count) => tracked && this.count(tracked, count));
      // The seam, in the same synchronous step as the subscription (see create).
      if (seam) ends = this.deps.history?.streamEnds();
    } catch (err) {
      // Stored before a change to the pattern rules, say: keep it listed so it can be deleted.
      this.deps.logger.warn({ err, pinId: pin.id, pin: pin.name }, 'stored pin is not counted: its filter does not compile');
    }
    tracked = this.track(pin, subscription);
    if (seam && ends) this.backfill(tracked, { at: seam.at, ends });
    return tracked;
  }

  private subscribe(spec: FilterSpec, count: (matches: number) => void): RoutedSubscription {
    const counts = this.deps.countsSource;
    return this.deps.router.subscribe(spec, { deliver: (lines, source) => (counts === undefined || counts(source)) && count(lines.length) });
  }

  /** A pin created through another hub (or the echo of one created here): counted and announced once. */
  adopt(pin: Pin): void {
    if (this.pins.has(pin.id)) return;
    // This hub's lines before now are in its own history: it fills its share of the past.
    const tracked = this.load(pin, { at: this.deps.now() });
    this.deps.broadcast({ type: 'pin', action: 'created', pin: this.view(tracked) });
  }

  /** A pin deleted through another hub: no longer counted, and announced once. */
  drop(id: string): void {
    const tracked = this.pins.get(id);
    if (tracked) this.untrack(tracked);
  }

  list(): Pin[] {
    return [...this.pins.values()].map((tracked) => this.view(tracked));
  }

  get(id: string): Pin | undefined {
    const tracked = this.pins.get(id);
    return tracked && this.view(tracked);
  }

  /** The pin as this hub reports it: with `backfilling` while its past is read from history. */
  private view(tracked: TrackedPin): Pin {
    return tracked.backfill ? { ...tracked.pin, backfilling: true } : tracked.pin;
  }

  /** Validates the filter with RE2 (throws FilterError), builds and saves the pin, starts counting and announces it. */
  async create(input: CreatePin, createdBy: string | undefined): Promise<Pin> {
    const { maxPins, store, now } = this.deps;
    const clash = this.namedLike(input.name);
    if (clash) {
      // Metric series and StatsD keys are named after the pin, so two such names would share one.
      const segment = sanitizeMetricSegment(input.name);
      throw new ApiFailure(
        409,
        'SG_ERR_BAD_REQUEST',
        `name: pin ${JSON.stringify(clash.name)} already has this name` + (segment ? ` (both would be the metric "${segment}")` : ''),
      );
    }
    if (this.pins.size >= maxPins) {
      throw new ApiFailure(409, 'SG_ERR_LIMIT', `this hub already has ${maxPins} pins, its maximum; delete one first`);
    }
    let tracked: TrackedPin | undefined;
    const subscription = this.subscribe(filterOf(input), (count) => tracked && this.count(tracked, count));
    const pin = buildPin(input, createdBy, now());
    try {
      await store.save(pin);
    } catch (cause) {
      subscription.close();
      throw new Error('save pin', { cause });
    }
    if (this.pins.has(pin.id)) {
      // A shared store announced it while it was being saved: it is counted (and backfilled) already.
      subscription.close();
      return this.get(pin.id) ?? pin;
    }
    // The seam: matches count live from `tracked` on (before it the subscription drops them), and
    // the stream ends are read in the same synchronous step, so each batch is on one side of it.
    tracked = this.track(pin, subscription);
    const history = this.deps.history;
    if (history) this.backfill(tracked, { at: now(), ends: history.streamEnds() });
    const view = this.view(tracked);
    this.deps.broadcast({ type: 'pin', action: 'created', pin: view });
    return view;
  }

  /** Removes the pin, its counts and its metric series; undefined when there is no such pin. */
  async delete(id: string): Promise<Pin | undefined> {
    const tracked = this.pins.get(id);
    if (!tracked) return undefined;
    // First: a backfill ending while the store deletes the counts would write some back.
    tracked.backfill?.abort(new Error('the pin is being deleted'));
    try {
      await this.deps.store.delete(id);
    } catch (cause) {
      throw new Error(`delete pin ${id}`, { cause });
    }
    // A shared store may have announced the deletion meanwhile.
    if (this.pins.get(id) === tracked) this.untrack(tracked);
    return tracked.pin;
  }

  private untrack(tracked: TrackedPin): void {
    const id = tracked.pin.id;
    tracked.subscription?.close();
    tracked.backfill?.abort(new Error('the pin was deleted'));
    this.pins.delete(id);
    this.deps.counter.forget(id);
    this.deps.metrics.pinMatches.remove({ pin: tracked.pin.name });
    this.deps.statsd?.forget(tracked.stat);
    this.deps.broadcast({ type: 'pin', action: 'deleted', pin: tracked.pin });
  }

  /** Stops counting (hub shutdown); the pins stay stored. */
  close(): void {
    this.stopBackfills();
    for (const tracked of this.pins.values()) tracked.subscription?.close();
  }

  /** Abandons every backfill in progress (the hub is stopping; its history is about to close). */
  stopBackfills(): void {
    for (const tracked of this.pins.values()) tracked.backfill?.abort(new Error('the hub is stopping'));
  }

  /** Fills the pin's buckets before `seam` from history in the background, then announces the pin again. */
  private backfill(tracked: TrackedPin, seam: PinSeam): void {
    const history = this.deps.history;
    if (!history) return;
    const controller = new AbortController();
    tracked.backfill = controller;
    const { pin } = tracked;
    const started = performance.now();
    history.backfill(pin.id, filterOf(pin), seam, controller.signal).then(
      (countedFrom) => {
        tracked.backfill = undefined;
        if (this.pins.get(pin.id) !== tracked) return;
        // Only history older than the pin moves where its counts begin.
        if (countedFrom < pin.createdAt) tracked.pin = { ...pin, countedFrom };
        this.deps.logger.info({ pinId: pin.id, pin: pin.name, countedFrom, ms: Math.round(performance.now() - started) }, 'pin backfilled from history');
        this.deps.broadcast({ type: 'pin', action: 'updated', pin: { ...tracked.pin, backfilling: false } });
      },
      (err: unknown) => {
        tracked.backfill = undefined;
        if (controller.signal.aborted) return;
        this.deps.logger.error({ err, pinId: pin.id, pin: pin.name }, 'could not fill the pin\u2019s past from history; it counts from its creation');
        if (this.pins.get(pin.id) === tracked) this.deps.broadcast({ type: 'pin', action: 'updated', pin: { ...tracked.pin, backfilling: false } });
      },
    );
  }

  /** A pin whose name is the same, or gives the same metric name, as `name`. */
  private namedLike(name: string): Pin | undefined {
    const segment = sanitizeMetricSegment(name);
    const lower = name.toLowerCase();
    for (const { pin } of this.pins.values()) {
      if (pin.name.toLowerCase() === lower) return pin;
      if (segment !== undefined && sanitizeMetricSegment(pin.name) === segment) return pin;
    }
    return undefined;
  }

  private track(pin: Pin, subscription: RoutedSubscription | undefined): TrackedPin {
    const series = this.deps.metrics.pinMatches.labels({ pin: pin.name });
    // Present at 0 from the start, so a pin that never matched still has a series to graph.
    series.inc(0);
    const tracked: TrackedPin = { pin, stat: pinStatName(pin.name, pin.id), series, subscription, backfill: undefined };
    this.pins.set(pin.id, tracked);
    return tracked;
  }

  /** On the ingest path, once per batch: only additions. */
  private count(tracked: TrackedPin, matches: number): void {
    this.deps.counter.add(tracked.pin.id, matches);
    tracked.series.inc(matches);
    this.deps.statsd?.add(tracked.stat, matches);
  }
}
