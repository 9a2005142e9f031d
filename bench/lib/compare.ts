import type { RecordedResult } from './result-files.js';
import type { Figure } from './results.js';
import { median } from './stats.js';

/**
 * How a figure moved between two runs, judged by the direction the figure says is better. Changes
 * smaller than the threshold are `same`: on a shared 2-core machine a latency tail moves by 20%
 * from one minute to the next, so one run against one run only flags what stands out.
 */
export type Verdict = 'better' | 'worse' | 'same' | 'new' | 'gone';

interface FigureChange {
  benchmark: string;
  label: string;
  unit: string;
  better: Figure['better'];
  before?: number;
  after?: number;
  /** (after - before) / |before| in percent; Infinity when a figure leaves 0. */
  changePercent?: number;
  verdict: Verdict;
}

export interface TargetState {
  value: number;
  met: boolean;
}

interface TargetChange {
  benchmark: string;
  target: string;
  limit: number;
  before?: TargetState;
  after?: TargetState;
}

export interface Comparison {
  figures: FigureChange[];
  targets: TargetChange[];
}

/** The newest result of each benchmark in `results`. */
function newestByBenchmark(results: readonly RecordedResult[]): Map<string, RecordedResult> {
  const newest = new Map<string, RecordedResult>();
  for (const result of results) {
    const held = newest.get(result.benchmark);
    if (!held || Date.parse(result.startedAt) > Date.parse(held.startedAt)) newest.set(result.benchmark, result);
  }
  return newest;
}

export function changePercent(before: number, after: number): number {
  if (before === after) return 0;
  if (before === 0) return after > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return ((after - before) / Math.abs(before)) * 100;
}

export function verdictOf(better: Figure['better'], change: number, thresholdPercent: number): Verdict {
  if (Math.abs(change) < thresholdPercent) return 'same';
  const improved = better === 'higher' ? change > 0 : change < 0;
  return improved ? 'better' : 'worse';
}

/**
 * Figure by figure and target by target, the newest run of each benchmark in `before` against the
 * newest in `after`. Figures are matched by benchmark and label; one present on a side only is
 * `new` or `gone` (a benchmark added, a figure renamed).
 */
export function compareRuns(before: readonly RecordedResult[], after: readonly RecordedResult[], thresholdPercent: number): Comparison {
  const old = newestByBenchmark(before);
  const now = newestByBenchmark(after);
  const benchmarks = [...new Set([...old.keys(), ...now.keys()])];
  const figures: FigureChange[] = [];
  const targets: TargetChange[] = [];
  for (const benchmark of benchmarks) {
    const oldFigures = new Map((old.get(benchmark)?.figures ?? []).map((figure) => [figure.label, figure]));
    const newFigures = new Map((now.get(benchmark)?.figures ?? []).map((figure) => [figure.label, figure]));
    for (const label of new Set([...oldFigures.keys(), ...newFigures.keys()])) {
      const a = oldFigures.get(label);
      const b = newFigures.get(label);
      const shape = (b ?? a)!;
      const change: FigureChange = { benchmark, label, unit: shape.unit, better: shape.better, verdict: a ? 'gone' : 'new' };
      if (a) change.before = a.value;
      if (b) change.after = b.value;
      if (a && b) {
        change.changePercent = changePercent(a.value, b.value);
        change.verdict = verdictOf(shape.better, change.changePercent, thresholdPercent);
      }
      figures.push(change);
    }
    const oldTargets = new Map((old.get(benchmark)?.targets ?? []).map((target) => [target.target, target]));
    const newTargets = new Map((now.get(benchmark)?.targets ?? []).map((target) => [target.target, target]));
    for (const name of new Set([...oldTargets.keys(), ...newTargets.keys()])) {
      const a = oldTargets.get(name);
      const b = newTargets.get(name);
      const change: TargetChange = { benchmark, target: name, limit: (b ?? a)!.limit };
      if (a) change.before = { value: a.value, met: a.met };
      if (b) change.after = { value: b.value, met: b.met };
      targets.push(change);
    }
  }
  return { figures, targets };
}

/** A regression worth failing a script on: a target met before and missed now, or a figure `worse`. */
export function regressions(comparison: Comparison): string[] {
  const found: string[] = [];
  for (const target of comparison.targets) {
    if (target.before?.met && target.after && !target.after.met) {
      found.push(`${target.benchmark}: target ${target.target} no longer met (${target.before.value} -> ${target.after.value}, limit ${target.limit})`);
    }
  }
  for (const figure of comparison.figures) {
    if (figure.verdict === 'worse') {
      found.push(`${figure.benchmark}: ${figure.label} worse by ${Math.abs(figure.changePercent!).toFixed(1)}% (${figure.before} -> ${figure.after} ${figure.unit})`);
    }
  }
  return found;
}

export interface Spread {
  runs: number;
  min: number;
  median: number;
  max: number;
  latest: number;
}

function spreadOf(values: readonly number[]): Spread {
  return { runs: values.length, min: Math.min(...values), median: median(values), max: Math.max(...values), latest: values[values.length - 1]! };
}

interface TargetHistory extends Spread {
  benchmark: string;
  target: string;
  /** The limit of the newest run that checked this target. */
  limit: number;
  met: number;
}

interface FigureHistory extends Spread {
  benchmark: string;
  label: string;
  unit: string;
}

interface BenchmarkSpan {
  benchmark: string;
  runs: number;
  first: string;
  last: string;
  /** Lowest and highest 1-minute load average at the runs' starts: how comparable they are. */
  loadMin: number;
  loadMax: number;
}

export interface History {
  spans: BenchmarkSpan[];
  targets: TargetHistory[];
  figures: FigureHistory[];
}

/** Which runs a history covers. */
export interface HistoryFilter {
  /** Runs per benchmark, the newest. */
  last: number;
  /** Only these benchmarks (all when empty). */
  only?: readonly string[];
  /** Only runs started at or after this time (ms since the epoch): the runs of the current code. */
  sinceMs?: number;
}

/**
 * The newest runs of each benchmark chosen by `filter` (runs with a profiler attached left out),
 * from `results` oldest first: for each target, how many runs met it and the spread of its value;
 * for each figure, its spread. One run says little on a noisy machine; this says whether a target
 * is met reliably.
 */
export function summarizeHistory(results: readonly RecordedResult[], { last, only = [], sinceMs }: HistoryFilter): History {
  const byBenchmark = new Map<string, RecordedResult[]>();
  for (const result of results) {
    if (only.length > 0 && !only.includes(result.benchmark)) continue;
    if (sinceMs !== undefined && Date.parse(result.startedAt) < sinceMs) continue;
    // A profiler slows what it watches: such a run says nothing about how often a target is met.
    if (result.profiled) continue;
    const runs = byBenchmark.get(result.benchmark) ?? [];
    runs.push(result);
    byBenchmark.set(result.benchmark, runs);
  }
  const history: History = { spans: [], targets: [], figures: [] };
  for (const [benchmark, all] of byBenchmark) {
    const runs = all.slice(-last);
    const loads = runs.map((run) => run.system.loadAvgStart[0] ?? Number.NaN).filter(Number.isFinite);
    history.spans.push({
      benchmark,
      runs: runs.length,
      first: runs[0]!.startedAt,
      last: runs[runs.length - 1]!.startedAt,
      loadMin: loads.length > 0 ? Math.min(...loads) : Number.NaN,
      loadMax: loads.length > 0 ? Math.max(...loads) : Number.NaN,
    });
    const targetRuns = new Map<string, { values: number[]; met: number; limit: number }>();
    const figureRuns = new Map<string, { values: number[]; unit: string }>();
    for (const run of runs) {
      for (const target of run.targets) {
        const seen = targetRuns.get(target.target) ?? { values: [], met: 0, limit: target.limit };
        seen.values.push(target.value);
        if (target.met) seen.met += 1;
        seen.limit = target.limit;
        targetRuns.set(target.target, seen);
      }
      for (const figure of run.figures) {
        const seen = figureRuns.get(figure.label) ?? { values: [], unit: figure.unit };
        seen.values.push(figure.value);
        figureRuns.set(figure.label, seen);
      }
    }
    for (const [target, seen] of targetRuns) history.targets.push({ benchmark, target, limit: seen.limit, met: seen.met, ...spreadOf(seen.values) });
    for (const [label, seen] of figureRuns) history.figures.push({ benchmark, label, unit: seen.unit, ...spreadOf(seen.values) });
  }
  return history;
}
