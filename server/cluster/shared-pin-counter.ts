import type { KV } from '@nats-io/kv';
import type { Logger } from '../../lib/logger.js';
import { PIN_BUCKET_MS, type PinRateBucket } from '../pins/pin-counter.js';
import { shared } from './kv-stores.js';

const HOUR_MS = 60 * 60_000;
/**
 * Buckets this far behind the current one are final (matches are counted in the bucket of the
 * moment they arrive) and, once written, leave memory.
 */
const KEEP_WRITTEN_MS = 2 * 60_000;
/** Buckets held while NATS refuses writes, at most; beyond it the oldest are given up and counted. */
const MAX_HELD_BUCKETS = 100_000;

export interface SharedPinCounterOptions {
  kv: KV;
  hubId: string;
  now(): number;
  logger: Logger;
  onDropped?(matches: number): void;
}

interface BucketCount {
  count: number;
  written: number;
}

/**
 * Pin match counts of a cluster, in the JetStream bucket `sg_pin_counts`. Each hub counts only
 * the lines of its own agents, so summing over hubs counts every line once, and no hub needs the
 * firehose for its pins. Each hub writes its running total per (pin, 10 s bucket) under its own
 * key `<pin>.<hour>.<bucket>.<hub>`: writing a total again after a failure cannot count twice.
 * The bucket's max age (the pin retention) removes old counts; `<hour>` lets a rate query read one
 * hour of keys at a time instead of the whole retention.
 */
export class SharedPinCounter {
  readonly bucketMs = PIN_BUCKET_MS;
  private readonly totals = new Map<string, Map<number, BucketCount>>();
  private held = 0;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: SharedPinCounterOptions) {}

  bucketOf(ts: number): number {
    return Math.floor(ts / this.bucketMs) * this.bucketMs;
  }

  private key(pinId: string, bucket: number, hubId: string): string {
    return `${pinId}.${Math.floor(bucket / HOUR_MS) * HOUR_MS}.${bucket}.${hubId}`;
  }

  add(pinId: string, count: number): void {
    if (count <= 0) return;
    const bucket = this.bucketOf(this.options.now());
    let buckets = this.totals.get(pinId);
    if (!buckets) {
      buckets = new Map();
      this.totals.set(pinId, buckets);
    }
    const entry = buckets.get(bucket);
    if (entry) {
      entry.count += count;
      return;
    }
    if (this.held >= MAX_HELD_BUCKETS) this.dropOldest();
    buckets.set(bucket, { count, written: 0 });
    this.held += 1;
  }

  /**
   * Writes counts taken from this hub's history (buckets before the pin counted live) under this
   * hub's backfill keys `<pin>.<hour>.<bucket>.<hub>-history`, apart from the live totals: the
   * bucket holding the seam gets both, and neither write can overwrite the other.
   */
  async backfill(pinId: string, buckets: readonly PinRateBucket[]): Promise<void> {
    const { kv, hubId } = this.options;
    const writes = buckets.filter((bucket) => bucket.count > 0).map((bucket) => kv.put(this.key(pinId, bucket.ts, `${hubId}-history`), String(bucket.count)));
    await shared('write the pin\u2019s counts from history', () => Promise.all(writes));
  }

  forget(pinId: string): void {
    this.held -= this.totals.get(pinId)?.size ?? 0;
    this.totals.delete(pinId);
  }

  /** Writes every total that changed since the last write; a failed write is tried again next time. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const { kv, hubId, now } = this.options;
    const writes: Array<Promise<void>> = [];
    for (const [pinId, buckets] of this.totals) {
      for (const [bucket, entry] of buckets) {
        if (entry.count === entry.written) continue;
        const count = entry.count;
        writes.push(
          kv.put(this.key(pinId, bucket, hubId), String(count)).then(() => {
            entry.written = Math.max(entry.written, count);
          }),
        );
      }
    }
    const results = await Promise.allSettled(writes);
    const failed = results.filter((result) => result.status === 'rejected');
    const final = this.bucketOf(now()) - KEEP_WRITTEN_MS;
    for (const [pinId, buckets] of this.totals) {
      for (const [bucket, entry] of buckets) {
        if (bucket >= final || entry.written !== entry.count) continue;
        buckets.delete(bucket);
        this.held -= 1;
      }
      if (buckets.size === 0) this.totals.delete(pinId);
    }
    if (failed.length > 0) {
      throw new Error(`could not write ${failed.length} of ${writes.length} pin counts to NATS`, { cause: (failed[0] as PromiseRejectedResult).reason });
    }
  }

  /**
   * Counts of one pin from the bucket holding `sinceTs` to the current one, summed over every hub.
   * This hub's own counts are exact (its totals in memory); other hubs' lag by their flush interval.
   */
  async rate(pinId: string, sinceTs: number): Promise<PinRateBucket[]> {
    const first = this.bucketOf(sinceTs);
    const last = this.bucketOf(this.options.now());
    const others = new Map<number, number>();
    const mine = new Map<number, number>();
    const hours: number[] = [];
    for (let hour = Math.floor(first / HOUR_MS) * HOUR_MS; hour <= last; hour += HOUR_MS) hours.push(hour);
    const readHour = async (hour: number) => {
      const entries = await this.options.kv.history({ key: `${pinId}.${hour}.>` });
      for await (const entry of entries) {
        if (entry.operation !== 'PUT') continue;
        const [, , bucketText, hubId] = entry.key.split('.');
        const bucket = Number(bucketText);
        const count = Number(entry.string());
        if (!Number.isSafeInteger(bucket) || !Number.isSafeInteger(count) || bucket < first) continue;
        const into = hubId === this.options.hubId ? mine : others;
        into.set(bucket, (into.get(bucket) ?? 0) + count);
      }
    };
    await shared('read the pin\u2019s counts', () => Promise.all(hours.map(readHour)));
    for (const [bucket, entry] of this.totals.get(pinId) ?? []) mine.set(bucket, Math.max(mine.get(bucket) ?? 0, entry.count));
    const out: PinRateBucket[] = [];
    for (let ts = first; ts <= last; ts += this.bucketMs) out.push({ ts, count: (others.get(ts) ?? 0) + (mine.get(ts) ?? 0) });
    return out;
  }

  private dropOldest(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const buckets of this.totals.values()) for (const bucket of buckets.keys()) oldest = Math.min(oldest, bucket);
    let dropped = 0;
    for (const [pinId, buckets] of this.totals) {
      const entry = buckets.get(oldest);
      if (!entry) continue;
      dropped += entry.count - entry.written;
      buckets.delete(oldest);
      this.held -= 1;
      if (buckets.size === 0) this.totals.delete(pinId);
    }
    this.options.onDropped?.(dropped);
  }
}
