import type { Verdict, VerdictKind } from '../../../../protocol/index.js';

/** What a badge says for each kind of verdict. */
export const VERDICT_LABELS: Record<VerdictKind, string> = {
  worse: 'worse',
  better: 'better',
  unchanged: 'unchanged',
  'too-few': 'too few to tell',
};

/** "×8.0", "×0.25", "×12": rate after / rate before; "new" when nothing matched before. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null) return 'new';
  if (ratio >= 10) return `×${Math.round(ratio)}`;
  if (ratio >= 1) return `×${ratio.toFixed(1)}`;
  return `×${ratio.toPrecision(2)}`;
}

const minutes = (ms: number) => Math.max(0, ms) / 60_000;

/** "12 min", "1.5 min", "30 s": a window or baseline length. */
function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const min = minutes(ms);
  return Number.isInteger(min) ? `${min} min` : `${min.toFixed(1)} min`;
}

/** "watching 4 of 10 min" while the window fills; "final" once it ended. */
export function watchingText(verdict: Verdict): string {
  if (verdict.final) return 'final';
  const total = Math.round(minutes(verdict.windowTo - verdict.windowFrom));
  return `watching ${Math.floor(minutes(verdict.windowElapsedMs))} of ${total} min`;
}

/** "24 after · 3 before": the window's count and the baseline's. */
export function countsText(verdict: Verdict): string {
  return `${verdict.windowCount.toLocaleString()} after · ${verdict.baselineCount.toLocaleString()} before`;
}

/** "p = 0.0003": small values in scientific notation, so they never read as 0. */
export function formatPValue(p: number): string {
  if (p === 0) return 'p < 1e-300';
  if (p < 0.001) return `p = ${p.toExponential(1)}`;
  return `p = ${p.toPrecision(2)}`;
}

/** The badge's title: the test's p-value and where the baseline came from, in a sentence or two. */
export function verdictTitle(verdict: Verdict, deployLabel: string | undefined): string {
  const baselineMs = verdict.baselineTo - verdict.baselineFrom;
  const short = verdict.baselineCoveredMs < baselineMs;
  const what = deployLabel ? `deploy “${deployLabel}”` : 'the deploy';
  return (
    `${VERDICT_LABELS[verdict.verdict]} after ${what}: ${verdict.windowCount.toLocaleString()} matches in ${formatSpan(verdict.windowElapsedMs)} after it, ` +
    `${verdict.baselineCount.toLocaleString()} in ${formatSpan(verdict.baselineCoveredMs)} before it` +
    (short ? ` (baseline cut to ${formatSpan(verdict.baselineCoveredMs)} of ${formatSpan(baselineMs)}: the pin's counts begin there)` : '') +
    `; rate ratio ${formatRatio(verdict.ratio)}, ${formatPValue(verdict.pValue)} (exact test of two Poisson counts). ` +
    (verdict.final ? 'Final.' : `Updating live: ${watchingText(verdict)}.`)
  );
}

/** "2 pins worse, 3 unchanged": a deploy's verdicts on one line, for its divider. */
export function deploySummary(verdicts: readonly Verdict[]): { text: string; worse: boolean } | undefined {
  if (verdicts.length === 0) return undefined;
  const order: VerdictKind[] = ['worse', 'better', 'unchanged', 'too-few'];
  const parts = order.flatMap((kind) => {
    const n = verdicts.filter((verdict) => verdict.verdict === kind).length;
    return n === 0 ? [] : [{ kind, n }];
  });
  const text = parts
    .map(({ kind, n }, index) => (index === 0 ? `${n} ${n === 1 ? 'pin' : 'pins'} ${VERDICT_LABELS[kind]}` : `${n} ${VERDICT_LABELS[kind]}`))
    .join(', ');
  const watching = verdicts.some((verdict) => !verdict.final);
  return { text: watching ? `${text} (watching)` : text, worse: parts[0]?.kind === 'worse' };
}
