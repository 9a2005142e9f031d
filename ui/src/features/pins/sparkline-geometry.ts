import type { PinRateBucket } from './rate-math.js';

export interface SparklineInput {
  /** Complete buckets, oldest first. */
  buckets: readonly PinRateBucket[];
  bucketMs: number;
  /** The time axis: `from` at x = 0, `to` at x = width. */
  from: number;
  to: number;
  width: number;
  height: number;
  /** Times to mark with a vertical line (deploys). */
  markers: readonly number[];
  /** Room kept above the peak and below zero so the stroke is not clipped. */
  pad?: number;
}

export interface SparklineGeometry {
  /** SVG path of the count line; empty when there is nothing to draw. */
  line: string;
  /** The same line closed along the bottom, for a filled area. */
  area: string;
  /** x of each marker inside the axis (`index` into the input), in the order given; a marker after `to` sits at the right edge. */
  markers: { index: number; at: number; x: number }[];
  /** The largest count drawn (the top of the scale). */
  peak: number;
}

const round = (value: number) => Math.round(value * 100) / 100;
/** Half the width, in px, of the stroke drawn for a single bucket. */
const LONE_POINT_HALF_WIDTH = 1.5;

/**
 * Where a sparkline's points and markers go. Each bucket is a point at its middle (a single one, a
 * short level stroke); y is the count scaled so the peak reaches the top (all zeros lie flat on the bottom). Markers before `from` are
 * left out; markers after `to` (a deploy in the bucket still filling) are pinned to the right edge,
 * which is "now" on this axis.
 */
export function sparklineGeometry(input: SparklineInput): SparklineGeometry {
  const { buckets, bucketMs, from, to, width, height } = input;
  const pad = input.pad ?? 2;
  const span = to - from;
  const x = (t: number) => round(span <= 0 ? width : ((t - from) / span) * width);
  const inside = buckets.filter((bucket) => bucket.ts >= from && bucket.ts + bucketMs <= to);
  let peak = 0;
  for (const bucket of inside) peak = Math.max(peak, bucket.count);
  const bottom = height - pad;
  const y = (count: number) => round(peak === 0 ? bottom : bottom - (count / peak) * (height - 2 * pad));

  let points = inside.map((bucket) => [x(bucket.ts + bucketMs / 2), y(bucket.count)] as const);
  // A lone point draws nothing: make it a short level stroke (a new pin's first bucket).
  if (points.length === 1) {
    const [px, py] = points[0]!;
    points = [
      [round(Math.max(0, px - LONE_POINT_HALF_WIDTH)), py],
      [round(Math.min(width, px + LONE_POINT_HALF_WIDTH)), py],
    ];
  }
  const line = points.map(([px, py], index) => `${index === 0 ? 'M' : 'L'}${px} ${py}`).join('');
  const area = points.length === 0 ? '' : `${line}L${points[points.length - 1]![0]} ${height}L${points[0]![0]} ${height}Z`;
  const markers = input.markers.flatMap((at, index) => (at >= from ? [{ index, at, x: Math.min(width, x(at)) }] : []));
  return { line, area, markers, peak };
}
