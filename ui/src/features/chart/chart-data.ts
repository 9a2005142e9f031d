import type { Deploy, Histogram, PinRate } from '../../../../protocol/index.js';

/** What the chart shows: the last so long (ending now, refreshed), or a fixed range. */
export type ChartWindow = { kind: 'last'; ms: number } | { kind: 'custom'; from: number; to: number };

export const CHART_PRESETS: readonly { label: string; ms: number }[] = [
  { label: '15 m', ms: 15 * 60_000 },
  { label: '1 h', ms: 60 * 60_000 },
  { label: '6 h', ms: 6 * 60 * 60_000 },
  { label: '24 h', ms: 24 * 60 * 60_000 },
];

/** Bar widths the chart picks from: the pins' 10 s buckets, summed into coarser ones for long windows. */
const STEPS_MS = [10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000];
/** Most bars drawn: enough to see a spike, few enough to click one on a phone. */
const MAX_BARS = 360;

/** The narrowest bar width that shows `spanMs` in at most MAX_BARS bars. */
export function chooseStep(spanMs: number): number {
  return STEPS_MS.find((step) => Math.ceil(spanMs / step) <= MAX_BARS) ?? STEPS_MS[STEPS_MS.length - 1]!;
}

/** A time range, ms since the epoch: `from` included, `to` excluded. */
export interface TimeSpan {
  from: number;
  to: number;
}

export function windowSpan(window: ChartWindow, now: number): TimeSpan {
  return window.kind === 'last' ? { from: now - window.ms, to: now } : { from: window.from, to: window.to };
}

/**
 * Counts per bar, oldest first, contiguous from `from` in steps of `stepMs` up to `to` (both on
 * bar edges). `null` is "no count" (before a pin existed, or beyond what the hub holds), drawn as
 * a gap rather than as zero.
 */
export interface ChartSeries {
  from: number;
  to: number;
  stepMs: number;
  buckets: readonly { ts: number; count: number | null }[];
}

/**
 * A pin's 10 s counts summed into bars of `stepMs` over `span`. A bar that ends before the pin began
 * counting (`countingSince`), or that no answered bucket falls in, has no count.
 */
export function fromPinRate(rate: PinRate, span: TimeSpan, stepMs: number, countingSince: number): ChartSeries {
  const from = Math.floor(span.from / stepMs) * stepMs;
  const to = Math.max(from + stepMs, Math.ceil(span.to / stepMs) * stepMs);
  const counts: (number | null)[] = new Array<number | null>((to - from) / stepMs).fill(null);
  for (const bucket of rate.buckets) {
    if (bucket.ts < from || bucket.ts >= to || bucket.ts + rate.bucketMs <= countingSince) continue;
    const index = Math.floor((bucket.ts - from) / stepMs);
    counts[index] = (counts[index] ?? 0) + bucket.count;
  }
  return { from, to, stepMs, buckets: counts.map((count, index) => ({ ts: from + index * stepMs, count })) };
}

/** The hub's histogram as a series: its buckets already lie on multiples of its step. */
export function fromHistogram(histogram: Histogram): ChartSeries {
  const first = histogram.buckets[0]?.ts ?? Math.floor(histogram.from / histogram.step) * histogram.step;
  const last = histogram.buckets[histogram.buckets.length - 1]?.ts ?? first;
  return { from: first, to: last + histogram.step, stepMs: histogram.step, buckets: histogram.buckets };
}

/** uPlot's columns: bar starts (ms) and counts. */
export function plotColumns(series: ChartSeries): [number[], (number | null)[]] {
  return [series.buckets.map((bucket) => bucket.ts), series.buckets.map((bucket) => bucket.count)];
}

/** The largest count shown (at least 1, so an all-zero chart still has an axis). */
export function maxCount(series: ChartSeries): number {
  let max = 1;
  for (const bucket of series.buckets) if (bucket.count !== null && bucket.count > max) max = bucket.count;
  return max;
}

export interface DeployMark {
  id: string;
  label: string;
  ts: number;
  /** Where the mark is drawn, as a fraction of the plot's width from its left edge. */
  at: number;
}

/** The deploys that started inside the chart's range, placed on its time axis (linear from `from` to `to`). */
export function deployMarks(deploys: readonly Deploy[], series: Pick<ChartSeries, 'from' | 'to'>): DeployMark[] {
  const width = series.to - series.from;
  if (width <= 0) return [];
  return deploys
    .filter((deploy) => deploy.startedAt >= series.from && deploy.startedAt <= series.to)
    .map((deploy) => ({ id: deploy.id, label: deploy.label, ts: deploy.startedAt, at: (deploy.startedAt - series.from) / width }));
}

/** The bar under time `ts`: its index, or undefined outside the chart. */
export function barAt(series: ChartSeries, ts: number): number | undefined {
  if (ts < series.from || ts >= series.to) return undefined;
  const index = Math.floor((ts - series.from) / series.stepMs);
  return index < series.buckets.length ? index : undefined;
}

/** The time a clicked bar covers. */
export function barSpan(series: ChartSeries, index: number): TimeSpan | undefined {
  const bucket = series.buckets[index];
  return bucket === undefined ? undefined : { from: bucket.ts, to: bucket.ts + series.stepMs };
}

/** The bars a drag from `a` to `b` (times, either order) touches, whole: their edges, inside the chart. */
export function dragSpan(series: ChartSeries, a: number, b: number): TimeSpan | undefined {
  const low = Math.max(series.from, Math.min(a, b));
  const high = Math.min(series.to, Math.max(a, b));
  if (high < low) return undefined;
  const from = series.from + Math.floor((low - series.from) / series.stepMs) * series.stepMs;
  const to = Math.min(series.to, series.from + (Math.floor((high - series.from) / series.stepMs) + 1) * series.stepMs);
  return { from, to };
}
