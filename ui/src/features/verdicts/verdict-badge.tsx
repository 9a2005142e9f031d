import type { Verdict } from '../../../../protocol/index.js';
import { countsText, formatRatio, VERDICT_LABELS, verdictTitle, watchingText } from './verdict-text.js';
import './verdicts.css';

/**
 * A pin's verdict on the last deploy: "worse ×8.0 · 24 after · 3 before · watching 4 of 10 min",
 * with the p-value and the baseline's story in the title.
 */
export function VerdictBadge({ verdict, deployLabel }: { verdict: Verdict; deployLabel: string | undefined }) {
  return (
    <span className={`verdict verdict--${verdict.verdict}`} title={verdictTitle(verdict, deployLabel)} data-verdict={verdict.verdict}>
      <strong className="verdict__kind">{VERDICT_LABELS[verdict.verdict]}</strong>
      {verdict.verdict !== 'too-few' && <span className="verdict__ratio">{formatRatio(verdict.ratio)}</span>}
      <span className="verdict__counts">{countsText(verdict)}</span>
      <span className="verdict__watching">{watchingText(verdict)}</span>
    </span>
  );
}
