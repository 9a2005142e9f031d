import { describe, expect, it } from 'vitest';
import { formatOutcome, formatPValue, formatSpan, formatVerdict, outcomeRecord, verdictRecord } from '../../../cli/verdict-format.js';
import { verdict } from './verdict-fixtures.js';

describe('verdict output', () => {
  it.each([
    [0, '0s'],
    [44_600, '45s'],
    [300_000, '5m'],
    [330_000, '5m30s'],
    [3_600_000, '1h'],
    [3_900_000, '1h05m'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });

  it.each([
    [1, '1'],
    [0.31, '0.31'],
    [0.0123, '0.012'],
    [0.001, '0.001'],
    [0.000123, '1.2e-4'],
    [1e-6, '1e-6'],
    [0, '0'],
  ])('writes p-value %f as %s', (p, text) => {
    expect(formatPValue(p)).toBe(text);
  });

  it('prints the name, verdict, both counts, ratio and p-value', () => {
    expect(formatVerdict(verdict('a'))).toBe('pin a: unchanged, after 4 in 5m, before 40 in 1h, ratio 1.20, p=0.31');
  });

  it('says how much baseline history covered when it was short, and when the verdict is final', () => {
    const short = verdict('a', { verdict: 'worse', final: true, windowElapsedMs: 600_000, windowCount: 42, baselineCoveredMs: 720_000, baselineCount: 3, ratio: 2.8, pValue: 0.000012 });
    expect(formatVerdict(short)).toBe('pin a: worse, after 42 in 10m, before 3 in 12m, ratio 2.80, p=1.2e-5, baseline covered 12m of 1h, final');
  });

  it('says there is no ratio without a match before, and spells out too-few', () => {
    expect(formatVerdict(verdict('a', { verdict: 'too-few', ratio: null, baselineCount: 0, windowCount: 1, pValue: 1 }))).toBe(
      'pin a: too few matches to tell, after 1 in 5m, before 0 in 1h, ratio n/a (no match before), p=1',
    );
  });

  it('escapes control characters in a pin name from the hub', () => {
    expect(formatVerdict(verdict('a', { pinName: 'evil \u001b]0;x\u0007' }))).toMatch(/^evil \\x1b\]0;x\\x07: unchanged/);
  });

  it('ends with the outcome and the exit code', () => {
    const worse = verdict('a', { verdict: 'worse', final: true });
    const calm = verdict('b', { final: true });
    const few = verdict('c', { verdict: 'too-few', final: true });
    expect(formatOutcome({ done: true, exitCode: 3, worse: [worse], early: false }, [worse, calm])).toBe('result: 1 of 2 pins worse after the deploy: pin a; exit 3');
    expect(formatOutcome({ done: true, exitCode: 3, worse: [worse], early: true }, [worse, calm])).toBe(
      'result: 1 of 2 pins worse after the deploy: pin a (--fail-fast: before the window ended); exit 3',
    );
    expect(formatOutcome({ done: true, exitCode: 0, worse: [], early: false }, [calm, few])).toBe(
      'result: no pin worse after the deploy (1 unchanged, 1 too few matches to tell); exit 0',
    );
  });

  it('writes one JSON record per verdict and a summary', () => {
    const worse = verdict('a', { verdict: 'worse', final: true });
    expect(JSON.parse(verdictRecord(worse))).toEqual({ type: 'verdict', ...worse });
    expect(JSON.parse(outcomeRecord({ done: true, exitCode: 3, worse: [worse], early: false }, [worse]))).toEqual({
      type: 'summary',
      exitCode: 3,
      worse: ['pin a'],
      early: false,
      verdicts: [worse],
    });
  });
});
