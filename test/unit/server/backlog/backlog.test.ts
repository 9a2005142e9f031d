import { describe, expect, it } from 'vitest';
import type { SourceRef } from '../../../../server/filter/batch-lines.js';
import { contextLines, replayBacklog } from '../../../../server/backlog/backlog-queries.js';
import { Backlog, type StoredBatch } from '../../../../server/backlog/backlog.js';
import { compileFilter } from '../../../../server/filter/filter-compiler.js';
import { takeNewest } from '../../../../server/backlog/take-newest.js';

function source(file: string, host = 'h'): SourceRef & { pos: number } {
  return { host, file, idPrefix: `hub-${file}-`, pos: 0 };
}

let seq = 0;

/**
 * A Buffer with an allocation of its own: the backlog bounds the memory bodies keep allocated, and
 * `Buffer.from` of a short string is a view into Node's shared pool (`Buffer.poolSize`).
 */
function ownBuffer(text: string): Buffer {
  const bytes = Buffer.from(text);
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

/** Appends lines as one batch at the source's next position, like the pipeline does. */
function append(backlog: Backlog, src: SourceRef & { pos: number }, lines: string[], ts = 0, truncated?: Set<number>): StoredBatch {
  const body = ownBuffer(lines.map((line) => `${line}\n`).join(''));
  const batch: StoredBatch = { body, firstPos: src.pos, ts, truncated, seq: ++seq };
  src.pos += body.length;
  backlog.append(src, batch);
  return batch;
}

function ringLines(backlog: Backlog, src: SourceRef): string[] {
  const ring = backlog.ring(src);
  if (!ring) return [];
  const out: string[] = [];
  for (let i = 0; i < ring.length; i += 1) out.push(...ring.at(i)!.body.toString().split('\n').slice(0, -1));
  return out;
}

describe('Backlog bounds', () => {
  it('evicts a source’s oldest batches past its own bound', () => {
    const backlog = new Backlog({ bytesPerSource: 20, totalBytes: 1000 });
    const a = source('a');
    append(backlog, a, ['aaaa', 'bbbb']); // 10 bytes
    append(backlog, a, ['cccc', 'dddd']); // 20
    expect(ringLines(backlog, a)).toEqual(['aaaa', 'bbbb', 'cccc', 'dddd']);
    append(backlog, a, ['eeee']); // 25 > 20: the first batch goes
    expect(ringLines(backlog, a)).toEqual(['cccc', 'dddd', 'eeee']);
    expect(backlog.ring(a)!.bytes).toBe(15);
    expect(backlog.totalBytes).toBe(15);
  });

  it('cuts a single batch larger than the bound at a line boundary', () => {
    const backlog = new Backlog({ bytesPerSource: 12, totalBytes: 1000 });
    const a = source('a');
    append(backlog, a, ['11111', '22222', '33333', '44444'], 0, new Set([12, 18])); // 24 bytes
    expect(ringLines(backlog, a)).toEqual(['33333', '44444']);
    const kept = backlog.ring(a)!.at(0)!;
    expect(kept.firstPos).toBe(12);
    expect([...kept.truncated!]).toEqual([0, 6]);
    expect(backlog.totalBytes).toBe(12);
    // Lines are still found by their original positions.
    expect(contextLines(backlog.ring(a)!, 18, 0, 0)!.map((line) => [line.id, line.line, line.truncated])).toEqual([
      ['hub-a-18', '44444', true],
    ]);
  });

  it('trims sources over their fair share of the total first', () => {
    const backlog = new Backlog({ bytesPerSource: 1000, totalBytes: 60 });
    const quiet = source('quiet');
    const chatty = source('chatty');
    append(backlog, quiet, ['q1', 'q2']); // 6 bytes
    for (let i = 0; i < 20; i += 1) append(backlog, chatty, [`chatty-${String(i).padStart(2, '0')}`]); // 10 bytes each
    expect(backlog.totalBytes).toBeLessThanOrEqual(60);
    expect(ringLines(backlog, quiet)).toEqual(['q1', 'q2']);
    expect(ringLines(backlog, chatty).at(-1)).toBe('chatty-19');
    expect(ringLines(backlog, chatty)).toHaveLength(5);
  });

  it('counts a shared allocation once, and bounds the memory bodies keep allocated, not their lengths', () => {
    const slab = Buffer.allocUnsafeSlow(100);
    slab.fill('x\n');
    const a = source('a');
    const b = source('b');
    const backlog = new Backlog({ bytesPerSource: 1000, totalBytes: 250 });
    const put = (src: SourceRef & { pos: number }, body: Buffer) => {
      backlog.append(src, { body, firstPos: src.pos, ts: 0, truncated: undefined, seq: ++seq });
      src.pos += body.length;
    };
    // Two 10-byte views into one 100-byte allocation: 100 bytes held, 20 bytes of lines.
    put(a, slab.subarray(0, 10));
    put(b, slab.subarray(10, 20));
    expect(backlog.totalBytes).toBe(100);
    expect(backlog.bodyBytes).toBe(20);
    // Two more allocations of 100 bytes: 300 > 250. Dropping a's first batch frees nothing (b still
    // uses that allocation), so a's second batch goes too: 200 bytes held.
    const second = Buffer.allocUnsafeSlow(100).fill('y\n');
    const third = Buffer.allocUnsafeSlow(100).fill('z\n');
    put(a, second.subarray(0, 50));
    put(a, third.subarray(0, 50));
    expect(backlog.totalBytes).toBe(200);
    expect(ringLines(backlog, a)).toEqual(Array(25).fill('z'));
    expect(ringLines(backlog, b)).toEqual(Array(5).fill('x'));
    backlog.forget(b);
    backlog.forget(a);
    expect(backlog.totalBytes).toBe(0);
    expect(backlog.bodyBytes).toBe(0);
  });

  it('frees a forgotten source', () => {
    const backlog = new Backlog({ bytesPerSource: 100, totalBytes: 100 });
    const a = source('a');
    const b = source('b');
    append(backlog, a, ['aaaa']);
    append(backlog, b, ['bbbb']);
    backlog.forget(a);
    expect(backlog.ring(a)).toBeUndefined();
    expect(backlog.totalBytes).toBe(5);
    append(backlog, b, ['cccc']);
    expect(backlog.totalBytes).toBe(10);
  });
});

describe('contextLines', () => {
  const backlog = new Backlog({ bytesPerSource: 1000, totalBytes: 1000 });
  const a = source('a');
  // l0..l9 in batches of 3, 3, 1, 3 lines; every line is 3 bytes so l<n> starts at 3n.
  append(backlog, a, ['l0', 'l1', 'l2'], 1);
  append(backlog, a, ['l3', 'l4', 'l5'], 2);
  append(backlog, a, ['l6'], 3);
  append(backlog, a, ['l7', 'l8', 'l9'], 4);
  const ring = backlog.ring(a)!;
  const texts = (pos: number, before: number, after: number) => contextLines(ring, pos, before, after)?.map((line) => line.line);

  it.each<[string, number, number, number, string[] | undefined]>([
    ['the line alone', 12, 0, 0, ['l4']],
    ['across batch boundaries on both sides', 12, 3, 4, ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8']],
    ['fewer lines at the start', 3, 5, 1, ['l0', 'l1', 'l2']],
    ['fewer lines at the end', 27, 1, 5, ['l8', 'l9']],
    ['the first line of a batch', 9, 1, 1, ['l2', 'l3', 'l4']],
    ['a position inside a line', 13, 1, 1, undefined],
    ['a position past the end', 30, 1, 1, undefined],
  ])('%s', (_name, pos, before, after, expected) => {
    expect(texts(pos, before, after)).toEqual(expected);
  });

  it('gives each line its id, time and source', () => {
    expect(contextLines(ring, 18, 0, 0)).toEqual([{ id: 'hub-a-18', host: 'h', file: 'a', ts: 3, line: 'l6', truncated: undefined }]);
  });

  it('gives each line the time it states, as eventTs beside the received ts', () => {
    const stated = new Backlog({ bytesPerSource: 1000, totalBytes: 1000 });
    const c = source('c');
    const received = Date.UTC(2026, 11, 7, 10, 0, 5);
    append(stated, c, ['2026-12-07T10:00:01Z one', 'no time', '[07/Dec/2026:10:00:03 +0000] three'], received);
    expect(contextLines(stated.ring(c)!, 0, 0, 2)!.map((line) => [line.ts, line.eventTs])).toEqual([
      [received, Date.UTC(2026, 11, 7, 10, 0, 1)],
      [received, undefined],
      [received, Date.UTC(2026, 11, 7, 10, 0, 3)],
    ]);
  });

  it('does not find evicted lines', () => {
    const small = new Backlog({ bytesPerSource: 6, totalBytes: 1000 });
    const b = source('b');
    append(small, b, ['l0', 'l1']);
    append(small, b, ['l2', 'l3']);
    expect(contextLines(small.ring(b)!, 0, 0, 0)).toBeUndefined();
    expect(contextLines(small.ring(b)!, 6, 0, 0)!.map((line) => line.line)).toEqual(['l2']);
  });
});

describe('replayBacklog', () => {
  it('returns the last N matching lines across selected sources, in arrival order', () => {
    const backlog = new Backlog({ bytesPerSource: 1000, totalBytes: 10_000 });
    const a = source('a.log');
    const b = source('b.log');
    const c = source('c.txt');
    // Agent clocks disagree (b's is behind): arrival order decides, not ts.
    append(backlog, a, ['a1 hit', 'a2 miss'], 100);
    append(backlog, b, ['b1 hit'], 20);
    append(backlog, c, ['c1 hit'], 25); // not selected by *.log
    append(backlog, a, ['a3 hit', 'a4 hit'], 300);
    append(backlog, b, ['b2 hit'], 40);
    const filter = compileFilter({ query: 'hit', files: ['*.log'] });
    const sources = [a, b, c];
    expect(replayBacklog(backlog, sources, filter, 10).map((line) => line.line)).toEqual(['a1 hit', 'b1 hit', 'a3 hit', 'a4 hit', 'b2 hit']);
    expect(replayBacklog(backlog, sources, filter, 3).map((line) => line.line)).toEqual(['a3 hit', 'a4 hit', 'b2 hit']);
    expect(replayBacklog(backlog, sources, filter, 0)).toEqual([]);
    expect(replayBacklog(backlog, sources, filter, 1)[0]).toMatchObject({ id: 'hub-b.log-7', ranges: [[3, 6]] });
  });
});

describe('takeNewest', () => {
  const key = (item: { k: number }) => item.k;
  it('merges by key and keeps each list’s order even where its keys go backwards', () => {
    const a = [{ k: 1, n: 'a1' }, { k: 5, n: 'a2' }, { k: 3, n: 'a3' }];
    const b = [{ k: 2, n: 'b1' }, { k: 4, n: 'b2' }];
    expect(takeNewest([a, b], 10, key).map((x) => x.n)).toEqual(['a1', 'b1', 'b2', 'a2', 'a3']);
    expect(takeNewest([a, b], 2, key).map((x) => x.n)).toEqual(['a2', 'a3']);
    expect(takeNewest([[], a], 1, key).map((x) => x.n)).toEqual(['a3']);
    expect(takeNewest([], 3, key)).toEqual([]);
  });
});
