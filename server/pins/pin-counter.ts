import type { PinStore } from '../storage/pin-store.js';

/** Width of one count bucket; part of every rate answer (`bucketMs`). */
export const PIN_BUCKET_MS = 10_000;

/** The part of PinStore the counter uses, so tests can hand it a failing one. */
export type PinCountStore = Pick<PinStore, 'addCounts' | 'counts' | 'pruneBefore'>;

export interface PinCounterOptions {
  store: PinCountStore;
  /** The hub's clock: a match is counted in the bucket of the moment it was ingested. */
  now: () => number;
  /** Buckets older than this are pruned from memory and from the database. */
  retentionMs: number;
  /**
   * Most (pin, bucket) counts held in memory while the database refuses them. Over it, the oldest
   * bucket is given up (and counted in `droppedMatches`), so a long outage cannot grow the hub.
   */
  maxUnflushedBuckets: number;
  /** Told how many matches were given up each time the bound above is hit. */
  onDropped?(matches: number): void;
  bucketMs?: number;
}

export interface PinRateBucket {
  ts: number;
  count: number;
}

/**
 * Counts each pin's matches in fixed time buckets. Counts accumulate in memory and are added to
 * the database by `flush()`; rates merge the stored counts with those not flushed yet, so a graph
 * is exact at any moment and survives a restart up to the last flush. A failed flush keeps its
 * counts for the next attempt. Synchronous throughout: it runs on the ingest path.
 */
export class PinCounter {
  readonly bucketMs: number;
  /** pin id -> bucket start -> matches not yet in the database. */
  private readonly unflushed = new Map<string, Map<number, number>>();
  private unflushedBuckets = 0;
  private dropped = 0;

  constructor(private readonly options: PinCounterOptions) {
    this.bucketMs = options.bucketMs ?? PIN_BUCKET_MS;
  }

  /** Start of the bucket holding `ts`. */
  bucketOf(ts: number): number {
    return Math.floor(ts / this.bucketMs) * this.bucketMs;
  }

  /** Matches given up because the database refused them for too long. */
  get droppedMatches(): number {
    return this.dropped;
  }

  /** (pin, bucket) counts waiting for the next flush. */
  get pendingBuckets(): number {
    return this.unflushedBuckets;
  }

  add(pinId: string, count: number): void {
    if (count <= 0) return;
    const bucket = this.bucketOf(this.options.now());
    const current = this.unflushed.get(pinId)?.get(bucket);
    if (current === undefined && this.unflushedBuckets >= this.options.maxUnflushedBuckets) this.dropOldestBucket();
    let buckets = this.unflushed.get(pinId);
    if (!buckets) {
      buckets = new Map();
      this.unflushed.set(pinId, buckets);
    }
    if (current === undefined) this.unflushedBuckets += 1;
    buckets.set(bucket, (current ?? 0) + count);
  }

  /**
   * Adds counts taken from history (buckets before the pin counted live) straight to the database,
   * in one transaction; buckets past the retention are left out. Throws when the database refuses.
   */
  backfill(pinId: string, buckets: readonly PinRateBucket[]): void {
    const oldest = this.bucketOf(this.options.now() - this.options.retentionMs);
    const rows: Array<[string, number, number]> = buckets.filter((bucket) => bucket.count > 0 && bucket.ts >= oldest).map((bucket) => [pinId, bucket.ts, bucket.count]);
    if (rows.length > 0) this.options.store.addCounts(rows);
  }

  /** Stops counting a deleted pin: what it had not flushed must not outlive it in the database. */
  forget(pinId: string): void {
    const buckets = this.unflushed.get(pinId);
    if (!buckets) return;
    this.unflushedBuckets -= buckets.size;
    this.unflushed.delete(pinId);
  }

  /**
   * Adds every unflushed count to the database in one transaction; returns how many (pin, bucket)
   * rows it wrote. On failure nothing is lost: the counts stay here and the error is thrown.
   */
  flush(): number {
    if (this.unflushedBuckets === 0) return 0;
    const rows: Array<[string, number, number]> = [];
    for (const [pinId, buckets] of this.unflushed) {
      for (const [bucket, count] of buckets) rows.push([pinId, bucket, count]);
    }
    try {
      this.options.store.addCounts(rows);
    } catch (cause) {
      throw new Error(`write ${rows.length} pin counts`, { cause });
    }
    this.unflushed.clear();
    this.unflushedBuckets = 0;
    return rows.length;
  }

  /** Drops counts older than the retention, in memory and in the database (which may throw). */
  prune(): void {
    const oldest = this.bucketOf(this.options.now() - this.options.retentionMs);
    for (const [pinId, buckets] of this.unflushed) {
      for (const bucket of buckets.keys()) {
        if (bucket >= oldest) continue;
        buckets.delete(bucket);
        this.unflushedBuckets -= 1;
      }
      if (buckets.size === 0) this.unflushed.delete(pinId);
    }
    try {
      this.options.store.pruneBefore(oldest);
    } catch (cause) {
      throw new Error('prune pin counts', { cause });
    }
  }

  /**
   * Counts of one pin from the bucket holding `sinceTs` to the current one, oldest first, one entry
   * per bucket (zero where nothing matched). Reads the database, which may throw.
   */
  rate(pinId: string, sinceTs: number): PinRateBucket[] {
    const first = this.bucketOf(sinceTs);
    const last = this.bucketOf(this.options.now());
    const totals = new Map<number, number>();
    for (const { ts, count } of this.options.store.counts(pinId, first)) totals.set(ts, count);
    for (const [bucket, count] of this.unflushed.get(pinId) ?? []) totals.set(bucket, (totals.get(bucket) ?? 0) + count);
    const out: PinRateBucket[] = [];
    for (let ts = first; ts <= last; ts += this.bucketMs) out.push({ ts, count: totals.get(ts) ?? 0 });
    return out;
  }

  private dropOldestBucket(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const buckets of this.unflushed.values()) {
      for (const bucket of buckets.keys()) oldest = Math.min(oldest, bucket);
    }
    let dropped = 0;
    for (const [pinId, buckets] of this.unflushed) {
      const count = buckets.get(oldest);
      if (count === undefined) continue;
      dropped += count;
      buckets.delete(oldest);
      this.unflushedBuckets -= 1;
      if (buckets.size === 0) this.unflushed.delete(pinId);
    }
    this.dropped += dropped;
    this.options.onDropped?.(dropped);
  }
}
