import type { Comparison, History, Spread, TargetState } from './compare.js';
import { formatNumber, formatTable } from './table.js';

function formatChange(percent: number | undefined): string {
  if (percent === undefined) return '';
  if (!Number.isFinite(percent)) return percent > 0 ? '+inf' : '-inf';
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

const targetState = (side: TargetState | undefined) => (side ? `${side.value} ${side.met ? 'MET' : 'NOT MET'}` : 'not checked');

/** One table per benchmark: each figure before and after, and each target's state on both sides. */
export function formatComparison(comparison: Comparison): string[] {
  const out: string[] = [];
  for (const benchmark of new Set(comparison.figures.map((figure) => figure.benchmark))) {
    out.push(`== ${benchmark}`);
    const rows = comparison.figures
      .filter((figure) => figure.benchmark === benchmark)
      .map((figure) => [figure.label, formatNumber(figure.before), formatNumber(figure.after), figure.unit, formatChange(figure.changePercent), figure.verdict === 'same' ? '' : figure.verdict]);
    out.push(...formatTable(['figure', 'before', 'after', 'unit', 'change', 'verdict'], rows));
    for (const target of comparison.targets.filter((each) => each.benchmark === benchmark)) {
      out.push(`  target ${target.target}: ${targetState(target.before)} -> ${targetState(target.after)} (limit ${target.limit})`);
    }
    out.push('');
  }
  return out;
}

const spreadCells = (spread: Spread) => [formatNumber(spread.min), formatNumber(spread.median), formatNumber(spread.max), formatNumber(spread.latest)];

/** Per benchmark: its runs and load, then how many met each target and the spread of its value (and of every figure). */
export function formatHistory(history: History, withFigures: boolean): string[] {
  const out: string[] = [];
  for (const span of history.spans) {
    const load = Number.isFinite(span.loadMin) ? `; load average ${span.loadMin}-${span.loadMax} at the starts` : '';
    out.push(`== ${span.benchmark}: ${span.runs} runs, ${span.first} to ${span.last}${load}`);
    const targets = history.targets.filter((target) => target.benchmark === span.benchmark);
    if (targets.length > 0) {
      const rows = targets.map((target) => [target.target, `${target.met} of ${target.runs}`, ...spreadCells(target), String(target.limit)]);
      out.push(...formatTable(['target', 'met', 'min', 'median', 'max', 'latest', 'limit'], rows));
    }
    if (withFigures) {
      const rows = history.figures.filter((figure) => figure.benchmark === span.benchmark).map((figure) => [figure.label, figure.unit, String(figure.runs), ...spreadCells(figure)]);
      out.push('', ...formatTable(['figure', 'unit', 'runs', 'min', 'median', 'max', 'latest'], rows));
    }
    out.push('');
  }
  return out;
}

/** One line per target: how many of the recent runs met it, and the range of its value. */
export function formatTargetTally(history: History): string[] {
  return history.targets.map(
    (target) => `  recent runs: ${target.target} met in ${target.met} of ${target.runs} (${formatNumber(target.min)} to ${formatNumber(target.max)}, limit ${target.limit})`,
  );
}
