import { describe, expect, it } from 'vitest';
import { changePercent, compareRuns, regressions, summarizeHistory, verdictOf } from '../../../bench/lib/compare.js';
import { formatTargetTally } from '../../../bench/lib/compare-format.js';
import type { RecordedResult } from '../../../bench/lib/result-files.js';

/** A run of `benchmark` at `minute` past 18:00 with the given figure values and targets. */
function run(benchmark: string, minute: number, figures: Record<string, number>, targets: Record<string, [number, boolean]> = {}, load = 1): RecordedResult {
  return {
    benchmark,
    startedAt: new Date(Date.UTC(2026, 10, 27, 18, minute)).toISOString(),
    system: { loadAvgStart: [load, 1, 1] },
    figures: Object.entries(figures).map(([label, value]) => ({ label, value, unit: 'ms', better: label.startsWith('rate') ? 'higher' : 'lower' })),
    targets: Object.entries(targets).map(([target, [value, met]]) => ({ target, value, limit: 10, met })),
  };
}

describe('changePercent', () => {
  it.each([
    [10, 12, 20],
    [10, 8, -20],
    [-10, -5, 50],
    [0, 0, 0],
    [0, 3, Number.POSITIVE_INFINITY],
    [0, -3, Number.NEGATIVE_INFINITY],
  ])('%d -> %d is %d%%', (before, after, expected) => {
    expect(changePercent(before, after)).toBeCloseTo(expected);
  });
});

describe('verdictOf', () => {
  it.each([
    ['higher', 15, 'better'],
    ['higher', -15, 'worse'],
    ['lower', 15, 'worse'],
    ['lower', -15, 'better'],
    ['lower', 9.9, 'same'],
    ['higher', -9.9, 'same'],
    ['lower', Number.POSITIVE_INFINITY, 'worse'],
  ] as const)('a %s-is-better figure changed by %d%% is %s', (better, change, verdict) => {
    expect(verdictOf(better, change, 10)).toBe(verdict);
  });
});

describe('compareRuns', () => {
  it('compares the newest run of each benchmark, figure by figure, and says which way each moved', () => {
    const before = [run('live', 0, { p99: 100 }), run('live', 5, { p99: 8, lost: 0, old: 1 }, { 'p99 (ms)': [8, true] })];
    const after = [run('live', 10, { p99: 12, lost: 0, fresh: 2 }, { 'p99 (ms)': [12, false] }), run('engine', 10, { 'rate 10': 5 })];
    const { figures, targets } = compareRuns(before, after, 10);
    expect(figures).toEqual([
      { benchmark: 'live', label: 'p99', unit: 'ms', better: 'lower', before: 8, after: 12, changePercent: 50, verdict: 'worse' },
      { benchmark: 'live', label: 'lost', unit: 'ms', better: 'lower', before: 0, after: 0, changePercent: 0, verdict: 'same' },
      { benchmark: 'live', label: 'old', unit: 'ms', better: 'lower', before: 1, verdict: 'gone' },
      { benchmark: 'live', label: 'fresh', unit: 'ms', better: 'lower', after: 2, verdict: 'new' },
      { benchmark: 'engine', label: 'rate 10', unit: 'ms', better: 'higher', after: 5, verdict: 'new' },
    ]);
    expect(targets).toEqual([{ benchmark: 'live', target: 'p99 (ms)', limit: 10, before: { value: 8, met: true }, after: { value: 12, met: false } }]);
  });

  it('lists as regressions a target no longer met and a figure worse beyond the threshold, nothing else', () => {
    const comparison = compareRuns(
      [run('live', 0, { p99: 8, p50: 2, 'rate x': 100 }, { a: [8, true], b: [11, false] })],
      [run('live', 1, { p99: 8.5, p50: 1, 'rate x': 80 }, { a: [11, false], b: [12, false] })],
      10,
    );
    expect(regressions(comparison)).toEqual([
      'live: target a no longer met (8 -> 11, limit 10)',
      'live: rate x worse by 20.0% (100 -> 80 ms)',
    ]);
  });
});

describe('summarizeHistory', () => {
  const runs = [
    run('live', 0, { p99: 20 }, { 'p99 (ms)': [20, false] }, 3),
    run('live', 1, { p99: 8 }, { 'p99 (ms)': [8, true] }, 0.5),
    run('live', 2, { p99: 12 }, { 'p99 (ms)': [12, false] }, 1.5),
    run('live', 3, { p99: 9 }, { 'p99 (ms)': [9, true] }, 1),
    run('engine', 2, { 'rate 10': 5 }),
  ];

  it('counts how many of the newest runs met each target, with the spread of its value', () => {
    const history = summarizeHistory(runs, { last: 3, only: ['live'] });
    expect(history.spans).toEqual([
      { benchmark: 'live', runs: 3, first: runs[1]!.startedAt, last: runs[3]!.startedAt, loadMin: 0.5, loadMax: 1.5 },
    ]);
    expect(history.targets).toEqual([{ benchmark: 'live', target: 'p99 (ms)', limit: 10, met: 2, runs: 3, min: 8, median: 9, max: 12, latest: 9 }]);
    expect(history.figures).toEqual([{ benchmark: 'live', label: 'p99', unit: 'ms', runs: 3, min: 8, median: 9, max: 12, latest: 9 }]);
  });

  it('leaves out runs started before `sinceMs`, and keeps every benchmark unless told', () => {
    const history = summarizeHistory(runs, { last: 10, sinceMs: Date.parse(runs[2]!.startedAt) });
    expect(history.spans.map((span) => [span.benchmark, span.runs])).toEqual([
      ['live', 2],
      ['engine', 1],
    ]);
  });
});

describe('summarizeHistory and profiled runs', () => {
  it('leaves out a run with a profiler attached, whose figures are slowed by it', () => {
    const profiled: RecordedResult = { ...run('live', 2, { p99: 30 }, { 'p99 (ms)': [30, false] }), profiled: true };
    const history = summarizeHistory([run('live', 1, { p99: 8 }, { 'p99 (ms)': [8, true] }), profiled], { last: 10 });
    expect(history.targets).toEqual([{ benchmark: 'live', target: 'p99 (ms)', limit: 10, met: 1, runs: 1, min: 8, median: 8, max: 8, latest: 8 }]);
  });
});

describe('formatTargetTally', () => {
  it('says per target how many recent runs met it and the range of its value', () => {
    const history = summarizeHistory(
      [run('live', 0, {}, { 'p99 (ms)': [12.5, false] }), run('live', 1, {}, { 'p99 (ms)': [8.25, true] }), run('live', 2, {}, { 'p99 (ms)': [9, true] })],
      { last: 10 },
    );
    expect(formatTargetTally(history)).toEqual(['  recent runs: p99 (ms) met in 2 of 3 (8.25 to 12.5, limit 10)']);
  });
});
