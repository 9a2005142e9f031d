import type { Deploy } from '../../../../protocol/index.js';
import { formatAgo, formatTimeOfDay } from '../../lib/text/time-format.js';
import { sinceDeploy, type PinSeries } from './rate-math.js';

interface SinceDeployProps {
  series: PinSeries | undefined;
  /** The last deploy at or before the series' time; undefined when there was none within the hub's retention. */
  deploy: Deploy | undefined;
  /** Where the pin's counts begin (hub clock): its creation, or earlier once filled from history. */
  countingSince: number;
  /** The hub is still filling the pin's past from history: the "before" figure is not known yet. */
  loadingHistory?: boolean;
}

/**
 * "since last deploy: 42 (before: 3)": matches since the last deploy started, next to the matches
 * in the same span just before it. The first question after a deploy is whether it made things
 * worse. In the first couple of minutes the 10 s bucket the deploy fell in weighs heavily on both
 * numbers (it is split by time), so they are marked as estimates.
 */
export function SinceDeployCount({ series, deploy, countingSince, loadingHistory = false }: SinceDeployProps) {
  if (series === undefined) return null;
  if (deploy === undefined) return <span className="since-deploy since-deploy--none">no deploy in 24 h</span>;
  const { spanMs, since, before, estimated, partial } = sinceDeploy(series, deploy.startedAt, countingSince);
  const worse = before !== undefined && since > before;
  const mark = estimated ? '≈' : '';
  const span = formatAgo(spanMs).replace(/ ago$/, '');
  const title =
    `${since.toLocaleString()} matches since deploy “${deploy.label}” started at ${formatTimeOfDay(deploy.startedAt)} (${span})` +
    (partial ? `, counted from ${formatTimeOfDay(countingSince)} when this pin was created; ` : ', ') +
    (before !== undefined
      ? `against ${before.toLocaleString()} in the ${span} before it.`
      : loadingHistory
        ? 'and the same span before it is still being read from history.'
        : countingSince > deploy.startedAt - spanMs
          ? 'and no count for the same span before it: the pin did not exist yet.'
          : 'and the hub no longer holds the counts for the same span before it.') +
    ` Counted in ${series.bucketMs / 1000} s buckets; a bucket that straddles the deploy is split in proportion to time.`;
  return (
    <span className={worse ? 'since-deploy since-deploy--worse' : 'since-deploy'} title={title}>
      since last deploy:{' '}
      <strong className="since-deploy__since">
        {partial ? '≥' : mark}
        {since.toLocaleString()}
      </strong>{' '}
      <span className="since-deploy__before">(before: {before !== undefined ? `${mark}${before.toLocaleString()}` : loadingHistory ? 'loading history…' : '—'})</span>
    </span>
  );
}
