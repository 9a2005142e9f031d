import { memo } from 'react';
import { safeHttpUrl } from '../../lib/text/safe-url.js';
import type { DeployEntry } from '../../lib/hub/stream-entry.js';
import { formatIso, formatTimeOfDay } from '../../lib/text/time-format.js';

/**
 * "Deploy web v1.2.3 by ci · 14:02:11": a divider where the hub announced a deploy, so the lines
 * after it are the ones the deploy may have caused. The label links to the deploy's `url` when it
 * is an http(s) URL; anything else is shown as text.
 */
export const DeployRow = memo(function DeployRow({ entry }: { entry: DeployEntry }) {
  const { deploy } = entry;
  const href = safeHttpUrl(deploy.url);
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
    </div>
  );
});
