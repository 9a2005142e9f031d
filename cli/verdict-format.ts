import type { Deploy, Verdict, VerdictKind } from '../protocol/index.js';
import { escapeControls } from './tail-format.js';
import type { GateDecision, SelectedPin } from './verdict-gate.js';

const KIND_TEXT: Record<VerdictKind, string> = {
  worse: 'worse',
  better: 'better',
  unchanged: 'unchanged',
  'too-few': 'too few matches to tell',
};

/** A length of time as people write it, to the second: `45s`, `5m`, `5m30s`, `1h`, `1h05m`. */
export function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Two significant digits; small values in exponent form (`1.2e-7`). */
export function formatPValue(p: number): string {
  if (p === 0 || p >= 0.001) return String(Number(p.toPrecision(2)));
  return p.toExponential(1).replace('.0e', 'e');
}

function formatRatio(ratio: number | null): string {
  return ratio === null ? 'ratio n/a (no match before)' : `ratio ${ratio.toFixed(2)}`;
}

/**
 * One pin's verdict for a person: name, verdict, counts after and before with the time each
 * covers, rate ratio, p-value, how much baseline history had when it was short, and `final`.
 */
export function formatVerdict(verdict: Verdict): string {
  const baselineMs = verdict.baselineTo - verdict.baselineFrom;
  const parts = [
    `${escapeControls(verdict.pinName)}: ${KIND_TEXT[verdict.verdict]}`,
    `after ${verdict.windowCount} in ${formatSpan(verdict.windowElapsedMs)}, before ${verdict.baselineCount} in ${formatSpan(verdict.baselineCoveredMs)}`,
    formatRatio(verdict.ratio),
    `p=${formatPValue(verdict.pValue)}`,
  ];
  if (verdict.baselineCoveredMs < baselineMs) parts.push(`baseline covered ${formatSpan(verdict.baselineCoveredMs)} of ${formatSpan(baselineMs)}`);
  if (verdict.final) parts.push('final');
  return parts.join(', ');
}

/** The first line of a watch: which deploy, how long, which pins. */
export function formatWatchStart(deploy: Deploy, windowMs: number, pins: readonly SelectedPin[]): string {
  const names = pins.map((pin) => escapeControls(pin.name)).join(', ');
  return `deploy ${escapeControls(deploy.id)} "${escapeControls(deploy.label)}" marked; watching ${formatSpan(windowMs)} for ${pins.length === 1 ? '1 pin' : `${pins.length} pins`}${names ? `: ${names}` : ''}`;
}

/** The last line of a watch: the outcome and the exit code. */
export function formatOutcome(decision: Extract<GateDecision, { done: true }>, judged: readonly Verdict[]): string {
  if (decision.exitCode !== 0) {
    const names = decision.worse.map((verdict) => escapeControls(verdict.pinName)).join(', ');
    const when = decision.early ? ' (--fail-fast: before the window ended)' : '';
    return `result: ${decision.worse.length} of ${judged.length} pins worse after the deploy: ${names}${when}; exit ${decision.exitCode}`;
  }
  const counts = new Map<string, number>();
  for (const verdict of judged) counts.set(KIND_TEXT[verdict.verdict], (counts.get(KIND_TEXT[verdict.verdict]) ?? 0) + 1);
  const summary = [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
  return `result: no pin worse after the deploy${summary ? ` (${summary})` : ''}; exit 0`;
}

/** `--json` records, one per line: the deploy, each verdict change, and the outcome. */
export function deployRecord(deploy: Deploy, windowMs: number, pins: readonly SelectedPin[]): string {
  return JSON.stringify({ type: 'deploy', deploy, windowMs, pins });
}

export function verdictRecord(verdict: Verdict): string {
  return JSON.stringify({ type: 'verdict', ...verdict });
}

export function outcomeRecord(decision: Extract<GateDecision, { done: true }>, judged: readonly Verdict[]): string {
  return JSON.stringify({
    type: 'summary',
    exitCode: decision.exitCode,
    worse: decision.worse.map((verdict) => verdict.pinName),
    early: decision.early,
    verdicts: judged,
  });
}
