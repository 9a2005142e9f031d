import fc from 'fast-check';
import { encodeLinesFrame, PROTOCOL_VERSION, type LinesHeader } from '../../protocol/node.js';

/**
 * fast-check arbitraries for protocol fuzzing: JSON-ish values, hostile values (huge numbers, deep
 * nesting, odd unicode, prototype keys), and mutations of valid frames (truncation, bit flips,
 * spliced bytes, a field replaced by a hostile value, a key removed).
 */

/** Values a careless parser trips on. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 32, -1, 0.5, -0, null, true, '', '\u0000', '\ud800', '\ufeff', '../../etc/passwd'),
  // Deeper nesting travels as text (deepJson): JSON.stringify itself would overflow the stack.
  fc.integer({ min: 1, max: 500 }).map((depth) => nest(depth)),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer({ min: 200, max: 70_000 }).map((length) => 'A'.repeat(length)),
  fc.constantFrom({ __proto__: { polluted: true } }, JSON.parse('{"__proto__":{"polluted":true}}') as unknown, { constructor: { prototype: { polluted: true } } }),
  fc.array(fc.integer(), { maxLength: 20 }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** `[[[...]]]` or `{"a":{"a":...}}`, `depth` levels deep. */
function nest(depth: number): unknown {
  let value: unknown = depth % 2 === 0 ? [] : {};
  for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

/** JSON text nested up to `maxDepth` levels: arrays, or objects inside a message-shaped object. */
export function deepJson(maxDepth: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 1, max: maxDepth }), fc.boolean()).map(([depth, inMessage]) => {
    const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    return inMessage ? `{"type":"subscribe","sub":"s","filter":{"query":"x","deep":${arrays}}}` : arrays;
  });
}

/** Replaces one top-level field with a hostile value, removes it, or adds an unknown one. */
export function mutateObject(template: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(template);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([key, value]) => ({ ...template, [key]: value })),
    fc.constantFrom(...keys).map((key) => {
      const copy = { ...template };
      delete copy[key];
      return copy;
    }),
    fc.tuple(fc.string({ maxLength: 20 }), hostileValue).map(([key, value]) => ({ ...template, [key]: value })),
  );
}

/** Byte-level mutations of a valid frame. */
export function mutateBytes(valid: Buffer): fc.Arbitrary<Buffer> {
  const length = valid.length;
  return fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, length - 1) }).map((cut) => valid.subarray(0, cut)),
    fc.array(fc.tuple(fc.nat({ max: Math.max(0, length - 1) }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const copy = Buffer.from(valid);
      for (const [at, bit] of flips) copy[at] = (copy[at] ?? 0) ^ (1 << bit);
      return copy;
    }),
    fc.tuple(fc.nat({ max: length }), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, bytes]) => Buffer.concat([valid.subarray(0, at), Buffer.from(bytes), valid.subarray(at)])),
    fc.tuple(fc.nat({ max: length }), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 })).map(([at, drop, bytes]) => Buffer.concat([valid.subarray(0, at), Buffer.from(bytes), valid.subarray(at + drop)])),
  );
}

/** Any text frame: JSON of random or hostile values, JSON-ish text, text mutations of valid messages. */
export function textFrame(templates: Array<Record<string, unknown>>): fc.Arbitrary<string> {
  const valid = fc.constantFrom(...templates);
  return fc.oneof(
    valid.map((message) => JSON.stringify(message)),
    valid.chain(mutateObject).map((message) => JSON.stringify(message)),
    valid.chain((message) => mutateBytes(Buffer.from(JSON.stringify(message)))).map((bytes) => bytes.toString('utf8')),
    fc.jsonValue({ maxDepth: 5 }).map((value) => JSON.stringify(value)),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    deepJson(30_000),
    fc.constantFrom('', 'null', '[]', '{}', '{"type":null}', '{"type":"hello"}', '"hello"', '{"type":"hello","protocolVersion":1e999}'),
  );
}

export const clientTemplates: Array<Record<string, unknown>> = [
  { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'fuzz' },
  { type: 'subscribe', sub: 's1', filter: { query: 'x', exclude: 'y', caseInsensitive: true, hosts: ['fuzz-*'], files: ['*.log'] }, backlog: 10 },
  { type: 'unsubscribe', sub: 's1' },
  { type: 'context', req: 'r1', id: 'abc-1-0', before: 5, after: 5 },
];

export const agentHello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, host: 'fuzz-agent', agentVersion: 'fuzz' };

const validBody = Buffer.from('fuzz line 1\nfuzz 2\n');
const validHeader: LinesHeader = { batch: 1, file: '/fuzz/app.log', fileId: 'f00.d00d', offset: 0, endOffset: validBody.length, lineCount: 2, ts: 1_764_190_000_000 };

/** A valid lines frame with batch number `batch`. */
export function validLinesFrame(batch: number): Buffer {
  return encodeLinesFrame({ ...validHeader, batch }, validBody);
}

/** Binary frames for /ws/agent: valid ones, ones with a hostile header field, byte mutations, raw bytes. */
export const agentBinaryFrame: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(encodeLinesFrame(validHeader, validBody)),
  mutateObject(validHeader as unknown as Record<string, unknown>).map((header) => encodeLinesFrame(header as unknown as LinesHeader, validBody)),
  mutateBytes(encodeLinesFrame(validHeader, validBody)),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 1, max: 200_000 }).map((depth) => {
    const json = Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const prefix = Buffer.alloc(5);
    prefix[0] = 1;
    prefix.writeUInt32BE(json.length, 1);
    return Buffer.concat([prefix, json]);
  }),
);
