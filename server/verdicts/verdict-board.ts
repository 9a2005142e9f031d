import type { Deploy, DeployEvent, DeployVerdicts, Pin, PinEvent, Verdict, VerdictsEvent } from '../../protocol/index.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import type { Logger } from '../../lib/logger.js';
import { ApiFailure } from '../api/api-failure.js';
import type { PinRateBucket } from '../pins/pin-counter.js';
import type { Awaitable, DeployRecords } from '../storage/record-stores.js';
import { computeVerdict, windowEnd, type VerdictSettings } from './verdict-math.js';

/** The longest window a deploy or the hub may ask for (protocol/http/deploy.ts, server/config.ts). */
const MAX_WINDOW_MS = 24 * 60 * 60_000;
/** A look just after a bucket closes sees that bucket whole. */
const TICK_SLACK_MS = 50;
const ERROR_LOG_INTERVAL_MS = 60_000;

/** Told a deploy's verdicts (every pin's, in pin order) each time any of them changes. */
export type VerdictListener = (deploy: Deploy, verdicts: Verdict[]) => void;

export interface VerdictBoardDeps {
  deploys: Pick<DeployRecords, 'list' | 'get' | 'nextAfter'>;
  pins: { list(): Pin[] };
  /** PinCounter on a single hub, SharedPinCounter in a cluster. */
  counter: { readonly bucketMs: number; rate(pinId: string, sinceTs: number): Awaitable<PinRateBucket[]> };
  settings: Omit<VerdictSettings, 'bucketMs'>;
  /** How long pin counts are kept: a deploy older than that has no counts left to judge. */
  retentionMs: number;
  /** Sends a message to every viewer. */
  broadcast(event: VerdictsEvent): void;
  logger: Logger;
  now(): number;
}

interface OpenDeploy {
  deploy: Deploy;
  /** The last verdicts told, their hub time and window end; absent until first computed. */
  verdicts?: Verdict[];
  key?: string;
  at: number;
  windowTo: number;
}

interface Computed {
  deploy: Deploy;
  windowTo: number;
  verdicts: Verdict[];
}

/** What a change is judged on: everything but the time it was computed. */
function changeKey(verdicts: readonly Verdict[]): string {
  return JSON.stringify(verdicts.map(({ updatedAt: _updatedAt, ...rest }) => rest));
}

/**
 * The verdicts of every deploy whose window is still open, for every pin: recomputed just after
 * each bucket closes and whenever a deploy or pin is created or deleted or a pin's backfill ends
 * (`observe`). A deploy's verdicts are broadcast as a `verdicts` message and told to `onChange`
 * listeners only when they changed; once its window has ended they are told a last time (final)
 * and the deploy leaves the board. Other deploys' verdicts are computed on demand.
 */
export class VerdictBoard {
  private readonly open = new Map<string, OpenDeploy>();
  private readonly listeners = new Set<VerdictListener>();
  private readonly errorLog = new LogThrottle(ERROR_LOG_INTERVAL_MS);
  private readonly settings: VerdictSettings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly deps: VerdictBoardDeps) {
    this.settings = { ...deps.settings, bucketMs: deps.counter.bucketMs };
  }

  /** Loads the deploys whose window is still open, computes their verdicts and starts the tick. */
  start(): void {
    const now = this.deps.now();
    try {
      for (const deploy of this.deps.deploys.list(now - MAX_WINDOW_MS)) {
        if (this.windowOf(deploy) > now) this.track(deploy);
      }
    } catch (err) {
      // The hub runs on; those deploys' verdicts are still answered on request.
      this.deps.logger.error({ err }, 'could not load the recent deploys: their verdicts are not followed live');
    }
    this.refresh();
    this.scheduleTick();
  }

  /**
   * Subscribes to verdict changes of open deploys (including the first verdicts of each, and of
   * those loaded at start). Returns the unsubscribe function.
   */
  onChange(listener: VerdictListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A pin or deploy event the hub broadcast: recompute what it affects. */
  observe(event: PinEvent | DeployEvent): void {
    if (this.closed) return;
    if (event.type === 'deploy') {
      const started = event.deploy.startedAt;
      // A deploy posted with a past start cuts the window of the one before it short: judge that one again.
      try {
        for (const earlier of this.deps.deploys.list(started - MAX_WINDOW_MS)) {
          if (earlier.startedAt < started && earlier.startedAt + (earlier.windowMs ?? this.settings.windowMs) > started) this.track(earlier);
        }
      } catch (err) {
        this.errorLog.run((suppressed) => this.deps.logger.error({ err, suppressedSinceLast: suppressed }, 'could not list the deploys before a new one'));
      }
      this.track(event.deploy);
    }
    if (this.open.size > 0) this.refresh();
  }

  /**
   * GET /api/deploys/:id/verdicts: the board's verdicts for an open deploy, computed now for any
   * other stored one (and for an open one whose window has just ended). Undefined for an unknown
   * id; refuses a deploy older than the pin counts kept.
   */
  async deployVerdicts(id: string): Promise<DeployVerdicts | undefined> {
    const now = this.deps.now();
    const entry = this.open.get(id);
    if (entry?.verdicts && now < entry.windowTo) return this.answer(entry.deploy, entry.verdicts);
    const deploy = entry?.deploy ?? this.deps.deploys.get(id);
    if (!deploy) return undefined;
    if (deploy.startedAt < now - this.deps.retentionMs) {
      const hours = Math.round(this.deps.retentionMs / 3_600_000);
      throw new ApiFailure(404, 'SG_ERR_NOT_FOUND', `deploy ${JSON.stringify(id)} started before the pin counts kept (the last ${hours} h): no verdicts`);
    }
    const [computed] = await this.compute([deploy], this.deps.pins.list(), now);
    if (this.open.has(id)) this.apply(computed!, now);
    return this.answer(deploy, computed!.verdicts);
  }

  /** Stops the tick; verdicts in progress are dropped. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private answer(deploy: Deploy, verdicts: Verdict[]): DeployVerdicts {
    return { deploy, alpha: this.settings.alpha, verdicts };
  }

  private windowOf(deploy: Deploy): number {
    return windowEnd(deploy, this.deps.deploys.nextAfter(deploy.startedAt)?.startedAt, this.settings);
  }

  private track(deploy: Deploy): void {
    if (!this.open.has(deploy.id)) this.open.set(deploy.id, { deploy, at: Number.NEGATIVE_INFINITY, windowTo: Number.POSITIVE_INFINITY });
  }

  private scheduleTick(): void {
    if (this.closed) return;
    const bucketMs = this.settings.bucketMs;
    const delay = Math.min(bucketMs, Math.max(1, bucketMs - (this.deps.now() % bucketMs) + TICK_SLACK_MS));
    this.timer = setTimeout(() => {
      if (this.open.size > 0) this.refresh();
      this.scheduleTick();
    }, delay);
    this.timer.unref();
  }

  /** Recomputes every open deploy; calls made meanwhile are folded into one more run. */
  private refresh(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.refreshOpen()
      .catch((err: unknown) => this.errorLog.run((suppressed) => this.deps.logger.error({ err, suppressedSinceLast: suppressed }, 'could not compute deploy verdicts')))
      .finally(() => {
        this.running = undefined;
        if (!this.again) return;
        this.again = false;
        this.refresh();
      });
  }

  private async refreshOpen(): Promise<void> {
    const now = this.deps.now();
    const deploys = [...this.open.values()].map((entry) => entry.deploy);
    if (deploys.length === 0) return;
    const computed = await this.compute(deploys, this.deps.pins.list(), now);
    if (this.closed) return;
    for (const result of computed) this.apply(result, now);
  }

  /** Every pin's verdict on each deploy at `now`, reading each pin's buckets once for all of them. */
  private async compute(deploys: readonly Deploy[], pins: readonly Pin[], now: number): Promise<Computed[]> {
    const { bucketMs } = this.settings;
    const oldestKept = Math.floor((now - this.deps.retentionMs) / bucketMs) * bucketMs;
    const since = Math.max(oldestKept, Math.min(...deploys.map((deploy) => deploy.startedAt - this.settings.baselineMs)));
    const results = deploys.map((deploy) => {
      const nextDeployAt = this.deps.deploys.nextAfter(deploy.startedAt)?.startedAt;
      return { deploy, nextDeployAt, windowTo: windowEnd(deploy, nextDeployAt, this.settings), verdicts: [] as Verdict[] };
    });
    for (const pin of pins) {
      const buckets = await this.deps.counter.rate(pin.id, since);
      const countsBegin = Math.max(pin.countedFrom ?? pin.createdAt, oldestKept);
      for (const result of results) {
        result.verdicts.push(computeVerdict({ deploy: result.deploy, nextDeployAt: result.nextDeployAt, pin, buckets, countsBegin, now }, this.settings));
      }
    }
    return results;
  }

  /** Keeps an open deploy's new verdicts; tells them when they changed; retires it once final. */
  private apply({ deploy, windowTo, verdicts }: Computed, at: number): void {
    const entry = this.open.get(deploy.id);
    // A later computation (an API request, say) was applied meanwhile.
    if (!entry || entry.at > at) return;
    const key = changeKey(verdicts);
    Object.assign(entry, { verdicts, at, windowTo });
    if (at >= windowTo) this.open.delete(deploy.id);
    if (entry.key === key) return;
    entry.key = key;
    this.deps.broadcast({ type: 'verdicts', deployId: deploy.id, verdicts });
    for (const listener of this.listeners) {
      try {
        listener(deploy, verdicts);
      } catch (err) {
        this.deps.logger.error({ err, deployId: deploy.id }, 'a verdict listener failed');
      }
    }
  }
}
