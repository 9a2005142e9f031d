import { memo } from 'react';
import { safeHttpUrl } from '../../lib/text/safe-url.js';
import type { DeployEntry } from '../../lib/hub/stream-entry.js';
import { formatIso, formatTimeOfDay } from '../../lib/text/time-format.js';
import { deploySummary } from '../verdicts/verdict-text.js';
import { useDeployVerdicts } from '../verdicts/verdicts-context.js';
import '../verdicts/verdicts.css';

/**
 * "Deploy web v1.2.3 by ci · 14:02:11": a divider where the hub announced a deploy, so the lines
 * after it are the ones the deploy may have caused. The label links to the deploy's `url` when it
 * is an http(s) URL; anything else is shown as text. Once the hub has verdicts on the deploy, a
 * summary follows ("2 pins worse, 3 unchanged"), updated live while its window fills.
 */
export const DeployRow = memo(function DeployRow({ entry }: { entry: DeployEntry }) {
  const { deploy } = entry;
  const href = safeHttpUrl(deploy.url);
  const summary = deploySummary(useDeployVerdicts(deploy.id));
  return (
    <div className="marker-row marker-row--deploy" role="note" data-deploy-id={deploy.id}>
      <span aria-hidden="true">⬆</span> Deploy{' '}
      {href ? (
        <a className="marker-row__deploy-label" href={href} target="_blank" rel="noopener noreferrer">
          {deploy.label}
        </a>
      ) : (
        <strong className="marker-row__deploy-label">{deploy.label}</strong>
      )}
      {deploy.by ? ` by ${deploy.by}` : ''} · <time dateTime={formatIso(deploy.startedAt)}>{formatTimeOfDay(deploy.startedAt)}</time>
      {summary && (
        <span className={summary.worse ? 'verdict-summary verdict-summary--worse' : 'verdict-summary'} data-verdict-summary="">
          · {summary.text}
        </span>
      )}
    </div>
  );
});
