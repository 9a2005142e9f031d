/** Relative width of a bucket: quantiles are exact to within 1%. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Bucket 0 holds everything under 1 ms; the last one everything from about 25 hours on. */
const BUCKETS = 1 + Math.ceil(Math.log(1e8) / LOG_GROWTH);

/**
 * Latencies in milliseconds, in logarithmic buckets 1% wide: fixed memory (about 15 KB) however
 * many lines are counted, which matters at tens of thousands of lines a second over hours.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maximum = 0;

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maximum;
  }

  record(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = value < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(value) / LOG_GROWTH));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total += 1;
    if (value > this.maximum) this.maximum = value;
  }

  /** The nearest-rank quantile `q` (0..1), as the upper edge of its bucket (never above the max); NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket += 1) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.min(this.maximum, bucket === 0 ? 1 : GROWTH ** bucket);
    }
    return this.maximum;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.maximum = 0;
  }
}
