import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError } from '../../../../server/filter/filter-compiler.js';
import {
  COSTLY_REPETITION,
  GROUP_REPETITION_BUDGET,
  MAX_LATE_REPETITION,
  MAX_PATTERN_COST,
  estimatePatternCost,
  isTooExpensive,
  tooExpensiveMessage,
} from '../../../../server/filter/pattern-cost.js';
import { buildGroups, isCombinable } from '../../../../server/filter/pattern-group.js';

const ORDINARY = [
  'error|warn',
  'user_id=\\d+',
  'timeout after \\d+ms',
  'status=5\\d\\d',
  '(?i)exception',
  '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
  '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  '[0-9a-f]{64}',
  'ERROR.*timeout|WARN.*retry',
  '\\pL+',
  // A long alternation is a large program but no repetition: the DFA tracks few positions at once.
  Array.from({ length: 80 }, (_, i) => `word${i}`).join('|'),
];

function include(query: string) {
  return compileFilter({ query }).include!;
}

describe('estimatePatternCost', () => {
  // RE2's own ProgramSize for each (re2 1.23's vendored RE2), which the estimate follows roughly.
  it.each<[string, number]>([
    ['(?s).{1000}Q', 7005],
    ['.{1000}Q', 8005],
    ['[a-m].{100}X', 806],
    ['[0-9a-f]{64}', 132],
    ['a{2,1000}', 2002],
    ['\\w{200}', 604],
    ['[^ ]{300}x', 2405],
    ['(x{10}){100}', 1204],
    ['error|warn', 13],
    ['timeout after \\d+ms', 22],
  ])('%s is within 25%% of RE2\u2019s program size', (pattern, programSize) => {
    const { cost } = estimatePatternCost(pattern);
    expect(cost).toBeGreaterThan(programSize * 0.75);
    expect(cost).toBeLessThan(programSize * 1.25);
  });

  it('multiplies nested counted repetitions and names the largest count', () => {
    expect(estimatePatternCost('(?:a{10}){100}').repeated).toBeGreaterThan(999);
    expect(estimatePatternCost('(?:(?s).{10}){100}').repeated).toBeGreaterThan(7999);
    expect(estimatePatternCost('(?s)(?:x.{1000}){2}').largestRepeat).toBe('{1000}');
    expect(estimatePatternCost('a{3,}').largestRepeat).toBe('{3,}');
    expect(estimatePatternCost('error').largestRepeat).toBeUndefined();
  });

  it('costs wide classes (any character, negated, \\C, Unicode) more than narrow ones', () => {
    const per = (atom: string) => estimatePatternCost(`${atom}{100}`).repeated / 99;
    expect(per('\\d')).toBeLessThan(2);
    expect(per('[a-z]')).toBeLessThan(2);
    for (const wide of ['.', '(?s:.)', '[^x]', '\\C', '\\W', '[\\s\\S]', '[à-ÿ]']) expect(per(wide)).toBeGreaterThanOrEqual(7);
    expect(per('\\pL')).toBeGreaterThan(per('.'));
    expect(per('(?i)[a-z]')).toBeGreaterThan(per('[a-z]'));
  });

  it('never throws on syntax it does not model', () => {
    for (const pattern of ['a{', '{1}', '[]a]', '[[:alpha:]-z]', '\\x{1F600}+', '(?P<n>a)', '(?i)', 'a)b', '\\', '[', '(?-s:.)*']) {
      expect(estimatePatternCost(pattern).cost).toBeGreaterThan(0);
    }
  });

  it('keeps ordinary patterns cheap and flags the hostile ones of the security review', () => {
    for (const pattern of [...ORDINARY, '\\Qa.b{1000}\\E']) expect(estimatePatternCost(pattern).repeated, pattern).toBeLessThanOrEqual(COSTLY_REPETITION);
    for (const pattern of ['(?s).{1000}Q', '(?s).{999}Q', '[a-m].{100}X', '\\C{100}Q']) {
      expect(estimatePatternCost(pattern).repeated, pattern).toBeGreaterThan(COSTLY_REPETITION);
      expect(estimatePatternCost(pattern).cost, pattern).toBeLessThanOrEqual(MAX_PATTERN_COST);
    }
    expect(estimatePatternCost('(?s).{1000}Q.{1000}R').cost).toBeGreaterThan(MAX_PATTERN_COST);
  });

  it('tells a repetition leading the pattern from one after its start', () => {
    // Leading: RE2 only counts the characters before Q. After other text: every position may be live.
    for (const pattern of ['(?s).{1000}Q', '^.{1000}Q', '(?i)(?s).{1000}Q', 'a|.{1000}Q', '\\b.{500}x']) {
      expect(estimatePatternCost(pattern).lateRepeated, pattern).toBe(0);
    }
    expect(estimatePatternCost('[a-m].{500}X').lateRepeated).toBeGreaterThan(MAX_LATE_REPETITION);
    expect(estimatePatternCost('(?s).{500}Q.{500}R')).toMatchObject({ lateRepeated: expect.any(Number), largestLateRepeat: '{500}' });
    expect(estimatePatternCost('(?s).{500}Q.{500}R').lateRepeated).toBeGreaterThan(MAX_LATE_REPETITION);
    expect(estimatePatternCost('(?:x.{500})Q').lateRepeated).toBeGreaterThan(MAX_LATE_REPETITION);
    expect(estimatePatternCost('error.{0,100}timeout').lateRepeated).toBeLessThanOrEqual(MAX_LATE_REPETITION);
  });

  it('says what a refused pattern costs, the limit and what to shorten', () => {
    const message = (pattern: string) => {
      const estimate = estimatePatternCost(pattern);
      expect(isTooExpensive(estimate)).toBe(true);
      return tooExpensiveMessage(pattern, estimate);
    };
    expect(message('(?s).{1000}Q.{1000}R')).toBe(
      'pattern "(?s).{1000}Q.{1000}R" would cost about 16,006 RE2 instructions; the limit is 10,000: shorten the counted repetition {1000}',
    );
    expect(message('(?s).{500}Q.{500}R')).toBe(
      'pattern "(?s).{500}Q.{500}R" has the counted repetition {500} after its start, which may leave RE2 about 3,992 instructions to follow at every character; the limit is 3,000: shorten the counted repetition {500}, or use .* (unbounded repetition is cheap)',
    );
    expect(isTooExpensive(estimatePatternCost('(?s).{1000}Q'))).toBe(false);
  });
});

describe('costly patterns and grouping', () => {
  it('refuses a pattern over MAX_PATTERN_COST with SG_ERR_TOO_EXPENSIVE, for include and exclude', () => {
    const refusal = (spec: { query: string; exclude?: string }) => {
      try {
        compileFilter(spec);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const include = refusal({ query: '(?s).{1000}Q.{1000}R' });
    expect(include).toBeInstanceOf(FilterError);
    expect(include).toMatchObject({ code: 'SG_ERR_TOO_EXPENSIVE', message: expect.stringContaining('shorten the counted repetition {1000}') });
    expect(refusal({ query: 'x', exclude: '(?s).{700}Q.{700}Q.{700}R' })).toMatchObject({
      code: 'SG_ERR_TOO_EXPENSIVE',
      message: expect.stringMatching(/^exclude pattern ".*" would cost about [\d,]+ RE2 instructions; the limit is 10,000/),
    });
    // RE2's own refusal still comes first for what it cannot compile at all.
    expect(refusal({ query: '(?s).{1001}' })).toMatchObject({ code: 'SG_ERR_BAD_REGEX' });
  });

  it('never puts (?s).{1000}Q and (?s).{999}Q in a group, alone or with ordinary patterns', () => {
    const hostile = ['(?s).{1000}Q', '(?s).{999}Q'].map(include);
    for (const pattern of hostile) {
      expect(pattern.costly).toBe(true);
      expect(isCombinable(pattern)).toBe(false);
    }
    const filter = compileFilter({ query: 'error', exclude: '(?s).{1000}Q' });
    expect(filter.costly).toBe(true);
    expect(filter.include!.costly).toBe(false);
  });

  it('groups ordinary patterns together, in one group', () => {
    const patterns = ORDINARY.map(include);
    for (const pattern of patterns) expect(isCombinable(pattern), pattern.source).toBe(true);
    const groups = buildGroups(patterns);
    expect(groups.map((group) => [group.offset, group.group.patterns.length])).toEqual([[0, ORDINARY.length]]);
  });

  it('splits a group whose repetitions add up past GROUP_REPETITION_BUDGET', () => {
    const patterns = Array.from({ length: 24 }, (_, i) => include(`(?s).{50}${String.fromCharCode(65 + i)}x`));
    expect(patterns.every((pattern) => !pattern.costly)).toBe(true);
    const groups = buildGroups(patterns);
    expect(groups.length).toBeGreaterThan(1);
    for (const { group } of groups) {
      expect(group.patterns.reduce((sum, pattern) => sum + pattern.estimate.repeated, 0)).toBeLessThanOrEqual(GROUP_REPETITION_BUDGET);
    }
    expect(groups.reduce((sum, { group }) => sum + group.patterns.length, 0)).toBe(patterns.length);
  });
});
