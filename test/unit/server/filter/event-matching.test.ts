import { describe, expect, it } from 'vitest';
import type { FilterSpec, MatchRange } from '../../../../protocol/index.js';
import { makeLine, type BatchRef, type SourceRef } from '../../../../server/filter/batch-lines.js';
import { FilterEngine } from '../../../../server/filter/filter-engine.js';

// Multi-line events: one '\n'-ended record whose inner line breaks are NUL (protocol/shared/event-text.ts).
const SOURCE: SourceRef = { host: 'web-1', file: '/var/log/app.log', idPrefix: 'hub-1-' };
const RECEIVED = Date.UTC(2026, 11, 7, 10, 22, 5);
const HEAD = 'java.lang.IllegalStateException: cart is empty';
const FRAME_1 = '\tat com.example.Cart.pay(Cart.java:42)';
const FRAME_2 = '\tat com.example.Api.handle(Api.java:7)';
const EVENT = [HEAD, FRAME_1, FRAME_2];
const LINES = ['before', EVENT.join('\u0000'), 'after'];
/** What viewers get for the event: its lines joined with '\n'. */
const DELIVERED = EVENT.join('\n');
/** Where `Api.java` starts in the delivered event: on its third line. */
const API_AT = DELIVERED.indexOf('Api.java');

function batchOf(lines: readonly string[]): BatchRef {
  return { body: Buffer.from(lines.map((line) => `${line}\n`).join('')), firstPos: 0, ts: RECEIVED, truncated: undefined };
}

/** Each acquired spec's matches over `lines` as [line, ranges] pairs, in the order the specs were given. */
function run(specs: readonly FilterSpec[], lines: readonly string[]): Array<Array<[string, MatchRange[]]>> {
  const engine = new FilterEngine();
  for (const spec of specs) engine.acquire(spec);
  const results = engine.matchBatch(SOURCE, batchOf(lines));
  return specs.map((spec) => {
    const result = results.find(({ filter }) => filter.spec.query === spec.query && filter.spec.exclude === spec.exclude);
    return (result?.lines ?? []).map((line) => [line.line, line.ranges]);
  });
}

describe('matching multi-line events', () => {
  // One spec per way the engine finds lines: literal pre-filter, batch scan, line by line (\z), costly.
  it.each<[string, FilterSpec]>([
    ['a literal pre-filter (.java)', { query: 'Ap[i]\\.java' }],
    ['a batch-scanned pattern', { query: 'Api\\.java' }],
    ['a line-by-line pattern', { query: 'Api\\.java(?:x\\z)?' }],
    ['a costly pattern', { query: 'Api\\.j[a-z]{0,300}a' }],
  ])('%s matching a frame gives the whole event with \\n, ranges on that frame', (_name, spec) => {
    expect(run([spec], LINES)).toEqual([[[DELIVERED, [[API_AT, API_AT + 'Api.java'.length]]]]]);
  });

  it('a pattern group (several filters sharing one search) gives the event whole too', () => {
    const [api, cart] = run([{ query: 'Api\\.java' }, { query: 'Cart\\.pay' }], LINES);
    expect(api).toEqual([[DELIVERED, [[API_AT, API_AT + 8]]]]);
    const cartAt = DELIVERED.indexOf('Cart.pay');
    expect(cart).toEqual([[DELIVERED, [[cartAt, cartAt + 8]]]]);
  });

  it('ranges on several lines of one event, each at its place in the \\n text', () => {
    const [matches] = run([{ query: 'com\\.example' }], LINES);
    const first = DELIVERED.indexOf('com.example');
    const second = DELIVERED.indexOf('com.example', first + 1);
    expect(matches).toEqual([[DELIVERED, [[first, first + 11], [second, second + 11]]]]);
  });

  it('. crosses the event\'s lines and ^ is its start', () => {
    expect(run([{ query: 'empty.*Api' }], LINES)[0]!.map(([line]) => line)).toEqual([DELIVERED]);
    expect(run([{ query: '^\\tat' }], LINES)[0]).toEqual([]);
    expect(run([{ query: '^java' }], LINES)[0]).toEqual([[DELIVERED, [[0, 4]]]]);
  });

  it.each<[string, FilterSpec, string[]]>([
    ['exclude matching a frame drops the event', { query: 'Exception|before', exclude: 'Cart\\.java' }, ['before']],
    ['exclude matching a frame with an empty query', { query: '', exclude: 'Cart\\.java' }, ['before', 'after']],
    ['an empty query delivers the event whole', { query: '' }, ['before', DELIVERED, 'after']],
  ])('%s', (_name, spec, expected) => {
    expect(run([spec], LINES)[0]!.map(([line]) => line)).toEqual(expected);
  });

  it('makeLine turns the event\'s NUL breaks into \\n, and the event time is its head\'s, never a frame\'s', () => {
    const timed = '2026-12-07T10:22:02.123Z ERROR boom\u0000\tat x(X.java:1)';
    const untimed = 'boom\u00002026-12-07T10:22:03.000Z later line';
    const batch = batchOf([timed, untimed]);
    const second = timed.length + 1;
    const first = makeLine(SOURCE, batch, 0, timed.length, timed, []);
    expect(first.line).toBe('2026-12-07T10:22:02.123Z ERROR boom\n\tat x(X.java:1)');
    expect(first.eventTs).toBe(Date.UTC(2026, 11, 7, 10, 22, 2, 123));
    const other = makeLine(SOURCE, batch, second, second + Buffer.byteLength(untimed), untimed, []);
    expect(other.line).toBe('boom\n2026-12-07T10:22:03.000Z later line');
    expect(other.eventTs).toBeUndefined();
  });
});
