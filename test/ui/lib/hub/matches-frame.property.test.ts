import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubToClientSchema, matchedLineSchema, matchesSchema } from '../../../../protocol/index.js';
import { decodeMatches, isMatchesFrame } from '../../../../ui/src/lib/hub/matches-frame.js';

/**
 * matches-frame.ts checks `matches` frames by hand instead of with zod, for speed. Whatever the
 * input, it must accept exactly what the protocol's schema accepts, and hand back the same values.
 * The schema is the oracle: inputs are valid frames shaped like the schema, random mutations of them
 * (a value anywhere replaced by a hostile one, a key removed, an unknown key or array slot added, an
 * object turned into an array), frames with hostile line fields, ranges and offsets, and arbitrary
 * values, so no test has to decide by itself whether a frame is still valid.
 */

/** Thousands of cases each: about a second normally, more on a busy machine. */
const CASE_TIMEOUT_MS = 60_000;

/** Numbers and values a hand-written check gets wrong: non-finite, fractional, negative, unsafe integers. */
const edgeValues = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  0.5,
  1.5,
  -1,
  -Number.MIN_VALUE,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  2 ** 53 + 2,
  1e20,
  1e308,
  -(2 ** 63),
  '',
  '0',
  '1',
  'matches',
  'dropped',
  true,
  false,
  null,
  undefined,
  [],
  {},
  [0],
  [0, 1],
  [0, 1, 2],
  [[0, 1]],
  ['0', '1'],
  [-1, 0],
  [0.5, 1],
  [null, null],
  Object.assign([0, 1], { extra: true }),
  { 0: 0, 1: 1, length: 2 },
);

/** Edge values mostly, and random ones of every type. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: edgeValues },
  // Small integers around the bound of 0, which fc.integer() seldom draws.
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

/** Range offsets as the schema allows them: non-negative safe integers, the edges more often. */
const offset = fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());

const validLine = fc.record(
  {
    id: fc.string({ maxLength: 12 }),
    host: fc.string({ maxLength: 8 }),
    file: fc.string({ maxLength: 12 }),
    ts: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1_700_000_000_000)),
    line: fc.string({ maxLength: 40 }),
    truncated: fc.option(fc.boolean(), { nil: undefined }),
    ranges: fc.array(fc.tuple(offset, offset), { maxLength: 4 }),
  },
  { requiredKeys: ['id', 'host', 'file', 'ts', 'line', 'ranges'] },
);

const validFrame = fc.record(
  {
    type: fc.constant('matches'),
    sub: fc.string({ maxLength: 8 }),
    lines: fc.array(validLine, { maxLength: 5 }),
    backlog: fc.option(fc.boolean(), { nil: undefined }),
  },
  { requiredKeys: ['type', 'sub', 'lines'] },
);

/**
 * One edit somewhere in the frame: walk down `path` (a number picks a key of the value reached,
 * modulo their number; a string names one), then set that key to `value`, delete it (a hole, in an
 * array), add `key` to the value there, or turn that value into an array with the same properties.
 * The root sits in a holder so that the whole frame can be replaced too. Half the paths are random;
 * the others aim at a line, a line's field, its ranges, a range or an offset, which a random walk
 * from the envelope reaches too seldom.
 */
type Step = number | string;
type Mutation = { path: Step[]; action: 'set' | 'delete' | 'add' | 'array'; key: string; value: unknown };

const pick = fc.nat();
const paths: fc.Arbitrary<Step[]> = fc.oneof(
  { weight: 5, arbitrary: fc.array(pick, { maxLength: 6 }) },
  { weight: 1, arbitrary: pick.map((line): Step[] => ['lines', line]) },
  { weight: 1, arbitrary: fc.tuple(pick, pick).map(([line, field]): Step[] => ['lines', line, field]) },
  { weight: 1, arbitrary: pick.map((line): Step[] => ['lines', line, 'ranges']) },
  { weight: 1, arbitrary: fc.tuple(pick, pick).map(([line, range]): Step[] => ['lines', line, 'ranges', range]) },
  { weight: 1, arbitrary: fc.tuple(pick, pick, pick).map(([line, range, end]): Step[] => ['lines', line, 'ranges', range, end]) },
);

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: paths,
  action: fc.constantFrom('set', 'set', 'set', 'delete', 'add', 'array'),
  key: fc.oneof(fc.constantFrom('extra', 'id', 'ts', 'ranges', 'truncated', 'type', 'sub', 'backlog', '0', '1', '2', '5', 'length', 'constructor'), fc.string({ maxLength: 6 })),
  value: hostile,
});

/** Defined, not assigned: `__proto__` as a key should be data, not a change of prototype. */
function defineData(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(frame: unknown, mutations: Mutation[]): unknown {
  const holder: Record<string, unknown> = { root: structuredClone(frame) };
  for (const { path, action, key, value: shared } of mutations) {
    // A fresh copy: a later edit must not change the arbitrary's own constants.
    const value = typeof shared === 'object' && shared !== null ? structuredClone(shared) : shared;
    let container: Record<string, unknown> = holder;
    let at = 'root';
    for (const step of path) {
      const child = container[at];
      if (typeof child !== 'object' || child === null) break;
      const keys = Object.keys(child);
      const next = typeof step === 'string' ? (keys.includes(step) ? step : undefined) : keys[step % keys.length];
      if (next === undefined) break;
      container = child as Record<string, unknown>;
      at = next;
    }
    if (action === 'set') container[at] = value;
    else if (action === 'delete') delete container[at];
    else if (action === 'array') {
      const target = container[at];
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
        const array: unknown[] = [];
        for (const [name, item] of Object.entries(target)) if (name !== 'length') defineData(array, name, item);
        container[at] = array;
      }
    } else {
      const target = container[at];
      if (typeof target === 'object' && target !== null) {
        if (Array.isArray(target) && key === 'length') continue;
        defineData(target, key, value);
      } else container[at] = value;
    }
  }
  return holder.root;
}

const mutatedFrame = fc.tuple(validFrame, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([frame, mutations]) => mutate(frame, mutations));

/** Mostly valid, else hostile: a frame then has a fault or two, not a fault everywhere. */
const orHostile = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** A matches frame whose every line field, range and offset may be hostile (undefined too: missing for zod). */
const faultyFrame = fc.record(
  {
    type: fc.constant('matches'),
    sub: fc.string({ maxLength: 4 }),
    lines: fc.array(
      orHostile(
        fc.record({
          id: orHostile(fc.string({ maxLength: 4 })),
          host: orHostile(fc.string({ maxLength: 4 })),
          file: orHostile(fc.string({ maxLength: 4 })),
          ts: orHostile(fc.double({ noNaN: true, noDefaultInfinity: true })),
          line: orHostile(fc.string({ maxLength: 8 })),
          truncated: orHostile(fc.option(fc.boolean(), { nil: undefined })),
          ranges: orHostile(fc.array(orHostile(fc.tuple(orHostile(offset), orHostile(offset))), { maxLength: 3 })),
        }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    backlog: fc.option(fc.boolean(), { nil: undefined }),
  },
  { requiredKeys: ['type', 'sub', 'lines'] },
);

/** Anything at all, and objects that only look like matches frames. */
const looseFrame = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({ type: orHostile(fc.constant('matches')), sub: orHostile(fc.string({ maxLength: 4 })), lines: orHostile(fc.array(hostile, { maxLength: 3 })) }),
);

const LINE_KEYS = Object.keys(matchedLineSchema.shape);

/**
 * A line with only the schema's fields, its ranges as plain arrays. The decoder hands lines over as
 * they came, without copying: unknown keys stay on a line (zod would drop them), and so would
 * non-index properties on an array (JSON.parse never makes those).
 */
function schemaFields(line: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of LINE_KEYS) if (key in (line as object)) fields[key] = (line as Record<string, unknown>)[key];
  fields.ranges = Array.from(fields.ranges as unknown[][], (range) => Array.from(range));
  return fields;
}

/** The property: same verdict as the schema, and on acceptance the same values. */
function agreesWithSchema(raw: unknown): void {
  const decoded = decodeMatches(raw);
  const expected = matchesSchema.safeParse(raw);
  expect(decoded.ok, `decodeMatches ${decoded.ok ? 'accepted' : 'refused'} what the schema ${expected.success ? 'accepts' : 'refuses'}`).toBe(expected.success);
  // hub-client.ts sends every frame whose type is 'matches' here, and all others to hubToClientSchema.
  expect(hubToClientSchema.safeParse(raw).success).toBe(expected.success);
  if (expected.success) expect(isMatchesFrame(raw)).toBe(true);
  if (!decoded.ok || !expected.success) return;
  const { lines, ...envelope } = decoded.value;
  const { lines: expectedLines, ...expectedEnvelope } = expected.data;
  expect(envelope).toEqual(expectedEnvelope);
  expect(lines.map(schemaFields)).toEqual(expectedLines);
  // Not copied: the decoder's whole point.
  lines.forEach((line, i) => expect(line).toBe((raw as { lines: unknown[] }).lines[i]));
}

describe('decodeMatches agrees with the protocol schema', () => {
  it('accepts every valid frame, with the same values', { timeout: CASE_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        expect(decodeMatches(frame).ok).toBe(true);
        agreesWithSchema(frame);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts or refuses exactly what the schema does once a frame is mutated', { timeout: CASE_TIMEOUT_MS }, () => {
    fc.assert(fc.property(mutatedFrame, agreesWithSchema), { numRuns: 5_000 });
  });

  it('accepts or refuses exactly what the schema does when line fields, ranges and offsets are hostile', { timeout: CASE_TIMEOUT_MS }, () => {
    fc.assert(fc.property(faultyFrame, agreesWithSchema), { numRuns: 3_000 });
  });

  it('accepts or refuses exactly what the schema does for frames that only look like matches', { timeout: CASE_TIMEOUT_MS }, () => {
    fc.assert(fc.property(looseFrame, agreesWithSchema), { numRuns: 1_000 });
  });

  it('agrees on frames as they arrive: after a JSON round trip', { timeout: CASE_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(mutatedFrame, (frame) => {
        const text = JSON.stringify(frame);
        if (text !== undefined) agreesWithSchema(JSON.parse(text));
      }),
      { numRuns: 1_000 },
    );
  });

  // Found by the properties above: Number.isInteger lets 2^53 and beyond through, zod's int() does not.
  it.each([Number.MAX_SAFE_INTEGER + 1, 1e20, 1e308])('refuses the unsafe integer %d as a range offset, as the schema does', (huge) => {
    const frame = { type: 'matches', sub: 'p1', lines: [{ id: 'l1', host: 'h', file: 'f', ts: 1, line: 'x', ranges: [[0, huge]] }] };
    agreesWithSchema(frame);
    agreesWithSchema(JSON.parse(JSON.stringify(frame)));
    expect(decodeMatches(frame).ok).toBe(false);
  });
});
