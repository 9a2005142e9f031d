import { memo } from 'react';
import type { Deploy } from '../../../../protocol/index.js';
import { formatTimeOfDay } from '../../lib/text/time-format.js';
import { completeBuckets, type PinSeries } from './rate-math.js';
import { sparklineGeometry } from './sparkline-geometry.js';

interface SparklineProps {
  series: PinSeries | undefined;
  deploys: readonly Deploy[];
  width: number;
  height: number;
  windowMs: number;
  /** What the graph is of, for screen readers ("checkout errors"). */
  label: string;
  /** Where the pin's counts begin (hub clock): nothing is drawn before it, the hub's zeros there are not counts. */
  countingSince: number;
  /** The hub is still filling the pin's past from history: the graph says so over what it has. */
  loadingHistory?: boolean;
}

/**
 * A pin's matches per bucket over the last `windowMs` as a small SVG line, with a vertical line at
 * every deploy. Only complete buckets are drawn (the one still filling would always look like a
 * drop); deploys in that last bucket stand at the right edge, "now".
 */
export const Sparkline = memo(function Sparkline({ series, deploys, width, height, windowMs, label, countingSince, loadingHistory = false }: SparklineProps) {
  const loadingNote = loadingHistory && (
    <text className="sparkline__loading" x={width / 2} y={height / 2} textAnchor="middle" dominantBaseline="central">
      loading history…
    </text>
  );
  if (series === undefined) {
    return (
      <svg className="sparkline sparkline--empty" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: loading`}>
        {loadingNote}
      </svg>
    );
  }
  const to = series.currentTs;
  const from = to - windowMs;
  const buckets = completeBuckets(series, windowMs, countingSince);
  // A deploy announced for later than the counts go is not drawn yet.
  const shown = deploys.filter((deploy) => deploy.startedAt >= from && deploy.startedAt <= series.countedTo);
  const geometry = sparklineGeometry({ buckets, bucketMs: series.bucketMs, from, to, width, height, markers: shown.map((deploy) => deploy.startedAt) });
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const minutes = Math.round(windowMs / 60_000);
  const description =
    `${label}: ${total.toLocaleString()} matches in the last ${minutes} min, at most ${geometry.peak.toLocaleString()} per ${series.bucketMs / 1000} s; ${shown.length} ${shown.length === 1 ? 'deploy' : 'deploys'}` +
    (loadingHistory ? '; loading history…' : '');
  return (
    <svg className={loadingHistory ? 'sparkline sparkline--loading' : 'sparkline'} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={description}>
      <title>{description}</title>
      <line className="sparkline__baseline" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
      {/* Deploys under the counts, so a spike right after a deploy is not hidden by its marker. */}
      {geometry.markers.map((marker) => {
        const deploy = shown[marker.index]!;
        return (
          <line key={deploy.id} className="sparkline__deploy" data-deploy-id={deploy.id} x1={marker.x} x2={marker.x} y1={0} y2={height}>
            <title>
              Deploy {deploy.label}
              {deploy.by ? ` by ${deploy.by}` : ''} · {formatTimeOfDay(deploy.startedAt)}
            </title>
          </line>
        );
      })}
      {geometry.area !== '' && <path className="sparkline__area" d={geometry.area} />}
      {geometry.line !== '' && <path className="sparkline__line" d={geometry.line} />}
      {loadingNote}
    </svg>
  );
});
