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
  now(): number;
}

interface TrackedPin {
  pin: Pin;
  /** StatsD name, before the prefix. */
  stat: string;
  series: Counter.Internal;
  /** Undefined for a stored pin whose filter no longer compiles: listed, not counted. */
  subscription: RoutedSubscription | undefined;
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

  private load(pin: Pin): TrackedPin {
    let tracked: TrackedPin | undefined;
    let subscription: RoutedSubscription | undefined;
    try {
      subscription = this.subscribe(filterOf(pin), (count) => tracked && this.count(tracked, count));
    } catch (err) {
      // Stored before a change to the pattern rules, say: keep it listed so it can be deleted.
      this.deps.logger.warn({ err, pinId: pin.id, pin: pin.name }, 'stored pin is not counted: its filter does not compile');
    }
    tracked = this.track(pin, subscription);
    return tracked;
  }

  private subscribe(spec: FilterSpec, count: (matches: number) => void): RoutedSubscription {
    const counts = this.deps.countsSource;
    return this.deps.router.subscribe(spec, { deliver: (lines, source) => (counts === undefined || counts(source)) && count(lines.length) });
  }

  /** A pin created through another hub (or the echo of one created here): counted and announced once. */
  adopt(pin: Pin): void {
    if (this.pins.has(pin.id)) return;
    this.load(pin);
    this.deps.broadcast({ type: 'pin', action: 'created', pin });
  }

  /** A pin deleted through another hub: no longer counted, and announced once. */
  drop(id: string): void {
    const tracked = this.pins.get(id);
    if (tracked) this.untrack(tracked);
  }

  list(): Pin[] {
    return [...this.pins.values()].map((tracked) => tracked.pin);
  }

  get(id: string): Pin | undefined {
    return this.pins.get(id)?.pin;
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
      // A shared store announced it while it was being saved: it is counted already.
      subscription.close();
      return pin;
    }
    tracked = this.track(pin, subscription);
    this.deps.broadcast({ type: 'pin', action: 'created', pin });
    return pin;
  }

  /** Removes the pin, its counts and its metric series; undefined when there is no such pin. */
  async delete(id: string): Promise<Pin | undefined> {
    const tracked = this.pins.get(id);
    if (!tracked) return undefined;
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
    this.pins.delete(id);
    this.deps.counter.forget(id);
    this.deps.metrics.pinMatches.remove({ pin: tracked.pin.name });
    this.deps.statsd?.forget(tracked.stat);
    this.deps.broadcast({ type: 'pin', action: 'deleted', pin: tracked.pin });
  }

  /** Stops counting (hub shutdown); the pins stay stored. */
  close(): void {
    for (const tracked of this.pins.values()) tracked.subscription?.close();
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
    const tracked: TrackedPin = { pin, stat: pinStatName(pin.name, pin.id), series, subscription };
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
