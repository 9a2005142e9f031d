import type { PinRate } from '../../../../protocol/index.js';

/** One bucket of a pin's counts: `count` matches in the `bucketMs` starting at `ts`. */
export type PinRateBucket = PinRate['buckets'][number];

/**
 * A pin's match counts as the UI holds them: contiguous buckets of `bucketMs` by the hub's clock,
 * oldest first, the last one (`currentTs`) still filling when it was fetched. Every time here is on
 * the hub's clock, which is the clock the counts were bucketed by.
 */
export interface PinSeries {
  bucketMs: number;
  buckets: readonly PinRateBucket[];
  /** Start of the bucket that was still filling at the last fetch (the last of `buckets`). */
  currentTs: number;
  /** Up to when the counts go: the hub's time of the last fetch (estimated; within the current bucket). */
  countedTo: number;
  /** The hub keeps no counts before `buckets[0].ts` (its retention cut the window we asked for). */
  truncated: boolean;
}

/** Where each bucket's counts were taken: a whole bucket, or the current one up to `countedTo`. */
function bucketEnd(series: PinSeries, ts: number): number {
  return ts === series.currentTs ? Math.max(ts, series.countedTo) : ts + series.bucketMs;
}

/**
 * Matches in [from, to), from bucket counts. A bucket the interval only partly covers contributes
 * in proportion to the covered part of the time it counted over (matches are assumed spread evenly
 * within 10 s); everything else is exact. Fractional: round for display.
 */
export function countBetween(series: PinSeries, from: number, to: number): number {
  let total = 0;
  for (const bucket of series.buckets) {
    const start = bucket.ts;
    const end = bucketEnd(series, start);
    if (end <= start) {
      // The current bucket just began: it counted over no time yet, so it belongs wholly where it starts.
      if (start >= from && start < to) total += bucket.count;
      continue;
    }
    const overlap = Math.min(end, to) - Math.max(start, from);
    if (overlap > 0) total += (bucket.count * overlap) / (end - start);
  }
  return total;
}

/** Whether the series holds counts for all of [from, ...): it starts at or before `from`. */
export function covers(series: PinSeries, from: number): boolean {
  const first = series.buckets[0];
  return first !== undefined && first.ts <= from;
}

/** Below this span, splitting the deploy's own bucket by time moves the counts noticeably: they are estimates. */
const ESTIMATED_BELOW_BUCKETS = 12;

export interface SinceDeploy {
  /** Time since the deploy started, up to where the counts go. */
  spanMs: number;
  /** The span is short enough that splitting the deploy's bucket matters (see ESTIMATED_BELOW_BUCKETS). */
  estimated: boolean;
  /** Matches since the deploy started (since the pin was created, when that is later: see `partial`). */
  since: number;
  /** The pin was created after the deploy: `since` counts only from its creation. */
  partial: boolean;
  /**
   * Matches in the same span just before the deploy; undefined when the pin did not exist yet for
   * all of it, or the hub no longer has (or we have not yet fetched) those counts.
   */
  before: number | undefined;
}

/**
 * "Since the last deploy: N (before: M)": N counts [deploy, now), M the span of the same length
 * right before the deploy, [deploy - span, deploy). Rounded to whole matches. A pin counts only
 * from `countingSince` (its creation): the hub reports zeros before that, which are not "no
 * matches", so a span the pin did not exist for has no "before", and "since" is then partial.
 */
export function sinceDeploy(series: PinSeries, deployAt: number, countingSince = Number.NEGATIVE_INFINITY): SinceDeploy {
  const now = series.countedTo;
  const spanMs = Math.max(0, now - deployAt);
  const onBoundary = deployAt % series.bucketMs === 0;
  const estimated = !onBoundary && spanMs < ESTIMATED_BELOW_BUCKETS * series.bucketMs;
  const partial = countingSince > deployAt;
  if (spanMs === 0) return { spanMs, estimated, partial, since: 0, before: partial ? undefined : 0 };
  const since = Math.round(countBetween(series, Math.max(deployAt, countingSince), now));
  const beforeFrom = deployAt - spanMs;
  const before = covers(series, beforeFrom) && countingSince <= beforeFrom ? Math.round(countBetween(series, beforeFrom, deployAt)) : undefined;
  return { spanMs, estimated, partial, since, before };
}

/**
 * Complete buckets of the last `windowMs` before the current bucket, from the one the pin was
 * created in (`countingSince`; the zeros before it are not counts): what a sparkline draws.
 */
export function completeBuckets(series: PinSeries, windowMs: number, countingSince = Number.NEGATIVE_INFINITY): PinRateBucket[] {
  const from = series.currentTs - windowMs;
  return series.buckets.filter((bucket) => bucket.ts >= from && bucket.ts < series.currentTs && bucket.ts + series.bucketMs > countingSince);
}
