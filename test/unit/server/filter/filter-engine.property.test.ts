import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterSpec, MatchRange } from '../../../../protocol/index.js';
import type { BatchRef, SourceRef } from '../../../../server/filter/batch-lines.js';
import { FilterEngine, FilterError } from '../../../../server/filter/filter-engine.js';
import { MAX_GROUP_PATTERNS } from '../../../../server/filter/pattern-group.js';
import { referenceMatches } from '../../../helpers/reference-filter.js';

/**
 * The engine evaluates many filters together (one alternation search per group of filters, an
 * RE2.Set to tell which filters match a candidate line, a fast path for ASCII lines). Whatever the
 * patterns, lines and mix of filters, it must return exactly the lines and ranges of the
 * straightforward evaluation: each filter on its own, line by line.
 */

const SOURCE: SourceRef = { host: 'web-1', file: '/var/log/app.log', idPrefix: 'hub-1-' };
/** Hundreds of random cases each: seconds on a quiet machine, more on a busy one. Not a timing check. */
const CASE_TIMEOUT_MS = 120_000;

// Few distinct characters so that patterns match often; multi-byte and astral characters, tabs and
// regex metacharacters to exercise offsets and escaping.
const CHARS = ['a', 'b', 'A', 'B', 'x', ' ', '\t', '1', '2', '-', '.', '(', 'é', 'É', '😀', '='];
const lineArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 14 }).map((chars) => chars.join(''));

const ESCAPED = new Set(['.', '(', '-']);
const literal = fc.constantFrom(...CHARS).map((char) => (ESCAPED.has(char) ? `\\${char}` : char === '\t' ? '\\t' : char));
const atom = fc.oneof(
  { weight: 6, arbitrary: literal },
  { weight: 1, arbitrary: fc.constantFrom('.', '\\s', '\\S', '\\d', '\\w', '[ab]', '[^a]', '[a-zA-Z]', '[^\\s]', '\\pL') },
);
const anchor = fc.constantFrom('^', '$', '\\b', '\\B');
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{1,2}', '*?');

/** Valid RE2 patterns of a small grammar: sequences, alternations, groups, quantifiers, anchors. */
const patternArb: fc.Arbitrary<string> = fc.letrec<{ pattern: string; piece: string }>((tie) => ({
  piece: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: anchor },
    { weight: 1, arbitrary: fc.tuple(tie('pattern'), quantifier).map(([p, q]) => `(${p})${q}`) },
    { weight: 1, arbitrary: fc.tuple(tie('pattern'), quantifier).map(([p, q]) => `(?:${p})${q}`) },
  ),
  pattern: fc.oneof(
    { weight: 4, arbitrary: fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join('')) },
    { weight: 1, arbitrary: fc.tuple(tie('pattern'), tie('pattern')).map(([a, b]) => `${a}|${b}`) },
  ),
})).pattern;

/** Patterns as people write them, plus the constructs the engine must keep out of a combined search. */
const queryArb = fc.oneof(
  { weight: 8, arbitrary: patternArb },
  { weight: 1, arbitrary: patternArb.map((p) => `(?i)${p}`) },
  { weight: 1, arbitrary: patternArb.map((p) => `(?s)${p}`) },
  { weight: 1, arbitrary: patternArb.map((p) => `\\A${p}`) },
  { weight: 1, arbitrary: patternArb.map((p) => `${p}\\z`) },
  { weight: 1, arbitrary: patternArb.map((p) => `(?-m)^${p}`) },
  { weight: 1, arbitrary: patternArb.map((p) => `\\Q${p}`) },
  { weight: 1, arbitrary: patternArb.map((p) => `(?P<name>${p})`) },
  { weight: 1, arbitrary: patternArb.map((p) => `(?<name>${p})x`) },
  { weight: 1, arbitrary: fc.constant('') },
);

const specArb: fc.Arbitrary<FilterSpec> = fc.record(
  {
    query: queryArb,
    exclude: patternArb,
    caseInsensitive: fc.boolean(),
    hosts: fc.constantFrom(['web-*'], ['db-*'], ['web-1', 'db-1']),
  },
  { requiredKeys: ['query'] },
);

function batchOf(lines: readonly string[]): BatchRef {
  return { body: Buffer.from(lines.map((line) => `${line}\n`).join('')), firstPos: 1000, ts: 5, truncated: undefined };
}

/** Line offsets in the batch body, to turn the reference's line indexes into ids. */
function lineIds(lines: readonly string[]): string[] {
  let pos = 1000;
  return lines.map((line) => {
    const id = `${SOURCE.idPrefix}${pos}`;
    pos += Buffer.byteLength(line) + 1;
    return id;
  });
}

type Outcome = Map<string, Array<[string, string, MatchRange[]]>>;

/**
 * How many generated filters the engine accepted, and so were compared, and in how many runs: a
 * filter RE2 refuses is left out of its case, and the test must notice if that becomes common.
 */
class Checked {
  private generated = 0;
  private accepted = 0;
  private runs = 0;
  private runsWithFilters = 0;

  note(generated: number, accepted: number): void {
    this.generated += generated;
    this.accepted += accepted;
    this.runs += 1;
    if (accepted > 0) this.runsWithFilters += 1;
  }

  /** At least 90% of the generated filters, and of the runs, were really compared. */
  expectMostChecked(): void {
    const counts = JSON.stringify(this);
    expect(this.runs, counts).toBeGreaterThan(0);
    expect(this.accepted, counts).toBeGreaterThanOrEqual(0.9 * this.generated);
    expect(this.runsWithFilters, counts).toBeGreaterThanOrEqual(0.9 * this.runs);
  }
}

/** Every filter's matches from one engine holding all of them: filter key -> [id, line, ranges]. */
function engineOutcome(specs: readonly FilterSpec[], lines: readonly string[], checked: Checked): { outcome: Outcome; accepted: FilterSpec[] } {
  const engine = new FilterEngine();
  const accepted: FilterSpec[] = [];
  for (const spec of specs) {
    try {
      engine.acquire(spec);
      accepted.push(spec);
    } catch (error) {
      // A generated pattern RE2 refuses (a rare corner of the grammar) is simply left out.
      if (!(error instanceof FilterError)) throw error;
    }
  }
  checked.note(specs.length, accepted.length);
  const outcome: Outcome = new Map();
  for (const { filter, lines: found } of engine.matchBatch(SOURCE, batchOf(lines))) {
    outcome.set(filter.key, found.map((line) => [line.id, line.line, line.ranges]));
  }
  return { outcome, accepted };
}

/** The same, filter by filter with the reference evaluation. */
function referenceOutcome(specs: readonly FilterSpec[], lines: readonly string[]): Outcome {
  const engine = new FilterEngine();
  const ids = lineIds(lines);
  const outcome: Outcome = new Map();
  for (const spec of specs) {
    const filter = engine.acquire(spec);
    if (!filter.selects(SOURCE.host, SOURCE.file)) continue;
    const found = referenceMatches(spec, lines).map(([index, ranges]): [string, string, MatchRange[]] => [ids[index]!, lines[index]!, ranges]);
    if (found.length > 0) outcome.set(filter.key, found);
  }
  return outcome;
}

describe('FilterEngine agrees with the straightforward evaluation', () => {
  it('for random filters over random lines', () => {
    const checked = new Checked();
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 12 }), fc.array(lineArb, { minLength: 1, maxLength: 40 }), (specs, lines) => {
        const { outcome, accepted } = engineOutcome(specs, lines, checked);
        expect(outcome).toEqual(referenceOutcome(accepted, lines));
      }),
      { numRuns: 400 },
    );
    checked.expectMostChecked();
  }, CASE_TIMEOUT_MS);

  it('for ASCII lines (the fast path where byte offsets are UTF-16 offsets)', () => {
    const checked = new Checked();
    const asciiLine = fc.array(fc.constantFrom('a', 'b', 'A', 'x', ' ', '1', '-', '='), { maxLength: 20 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 2, maxLength: 12 }), fc.array(asciiLine, { minLength: 1, maxLength: 60 }), (specs, lines) => {
        const { outcome, accepted } = engineOutcome(specs, lines, checked);
        expect(outcome).toEqual(referenceOutcome(accepted, lines));
      }),
      { numRuns: 300 },
    );
    checked.expectMostChecked();
  }, CASE_TIMEOUT_MS);

  it('for patterns the literal pre-filter handles (rare required strings, no literal prefix)', () => {
    const checked = new Checked();
    const small = fc.constantFrom('a', 'b', 'c', '=', 'é');
    const literal = fc.array(small, { minLength: 3, maxLength: 5 }).map((chars) => chars.join(''));
    const lead = fc.constantFrom('', '.', '[ab]', '\\b', '^', '\\s*', 'x?');
    const tail = fc.constantFrom('', '.', '[0-9]', 'c+', '$', '.*b');
    const query = fc.oneof(
      fc.tuple(lead, literal, tail).map(([l, lit, t]) => `${l}${lit}${t}`),
      fc.tuple(lead, literal, literal, tail).map(([l, a, b, t]) => `${l}(${a}|${b})${t}`),
      fc.tuple(literal, literal, tail).map(([a, b, t]) => `${a}${t}|.${b}`),
    );
    const spec = fc.record({ query, exclude: fc.constantFrom('c=', 'é$', 'zz') }, { requiredKeys: ['query'] });
    const line = fc.array(fc.constantFrom('a', 'b', 'c', '=', 'é', ' ', '1', '😀'), { maxLength: 24 }).map((chars) => chars.join(''));
    let prefiltered = 0;
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 6 }), fc.array(line, { minLength: 1, maxLength: 60 }), (specs, lines) => {
        const { outcome, accepted } = engineOutcome(specs, lines, checked);
        const engine = new FilterEngine();
        for (const accepted1 of accepted) if (engine.acquire(accepted1).include?.literals) prefiltered += 1;
        expect(outcome).toEqual(referenceOutcome(accepted, lines));
      }),
      { numRuns: 300 },
    );
    checked.expectMostChecked();
    // The pre-filter must actually have been used.
    expect(prefiltered).toBeGreaterThan(100);
  }, CASE_TIMEOUT_MS);

  it(`with more filters than one group holds (${MAX_GROUP_PATTERNS})`, () => {
    const checked = new Checked();
    fc.assert(
      fc.property(
        fc.uniqueArray(patternArb, { minLength: MAX_GROUP_PATTERNS + 10, maxLength: MAX_GROUP_PATTERNS + 40 }),
        fc.array(lineArb, { minLength: 1, maxLength: 40 }),
        (queries, lines) => {
          const specs = queries.map((query): FilterSpec => ({ query }));
          const { outcome, accepted } = engineOutcome(specs, lines, checked);
          expect(outcome).toEqual(referenceOutcome(accepted, lines));
        },
      ),
      { numRuns: 10 },
    );
    checked.expectMostChecked();
  }, CASE_TIMEOUT_MS);

  it('after filters come and go (the plan is rebuilt)', () => {
    const checked = new Checked();
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 3, maxLength: 10 }), fc.array(lineArb, { minLength: 1, maxLength: 30 }), (specs, lines) => {
        const engine = new FilterEngine();
        const held = specs.flatMap((spec) => {
          try {
            return [{ spec, filter: engine.acquire(spec) }];
          } catch (error) {
            // Refused by RE2: not part of this case (counted).
            if (!(error instanceof FilterError)) throw error;
            return [];
          }
        });
        checked.note(specs.length, held.length);
        engine.matchBatch(SOURCE, batchOf(lines));
        // Release every other filter, then match again: only the rest may answer, exactly as before.
        const kept = held.filter((_, index) => index % 2 === 1);
        held.forEach(({ filter }, index) => index % 2 === 0 && engine.release(filter));
        const outcome: Outcome = new Map();
        for (const { filter, lines: found } of engine.matchBatch(SOURCE, batchOf(lines))) {
          outcome.set(filter.key, found.map((line) => [line.id, line.line, line.ranges]));
        }
        expect(outcome).toEqual(referenceOutcome(kept.map(({ spec }) => spec), lines));
      }),
      { numRuns: 200 },
    );
    checked.expectMostChecked();
  }, CASE_TIMEOUT_MS);
});
