import { describe, expect, it } from 'vitest';
import type { MatchedLine } from '../../../../protocol/index.js';
import { HeldLines, MAX_HELD_BYTES, mergeBacklogs } from '../../../../server/cluster/cluster-viewer.js';

function line(id: string, ts: number, text = id): MatchedLine {
  return { id, host: 'h', file: '/f', ts, line: text, ranges: [] };
}

describe('mergeBacklogs', () => {
  it('keeps the newest lines by reading time, each hub\u2019s list in its own order, without lines held to go live', () => {
    const local = [line('a-1-0', 10), line('a-1-5', 30), line('a-1-9', 50)];
    const fromB = [line('b-1-0', 20), line('b-1-4', 40), line('b-1-8', 60)];
    const fromC = [line('c-1-0', 5)];
    expect(mergeBacklogs(local, [fromB, fromC], 4, new Set()).map((l) => l.id)).toEqual(['a-1-5', 'b-1-4', 'a-1-9', 'b-1-8']);
    expect(mergeBacklogs(local, [fromB, fromC], 100, new Set(['b-1-8', 'a-1-0'])).map((l) => l.id)).toEqual([
      'c-1-0',
      'b-1-0',
      'a-1-5',
      'b-1-4',
      'a-1-9',
    ]);
    expect(mergeBacklogs(local, [], 2, new Set()).map((l) => l.id)).toEqual(['a-1-5', 'a-1-9']);
    expect(mergeBacklogs([], [], 2, new Set())).toEqual([]);
  });
});

describe('HeldLines', () => {
  it('hands over what it held, in order, then stops holding', () => {
    const held = new HeldLines();
    held.push([line('x-1-0', 1), line('x-1-2', 2)]);
    held.push([line('x-1-4', 3)]);
    expect([...held.ids()]).toEqual(['x-1-0', 'x-1-2', 'x-1-4']);
    const sent: string[] = [];
    held.release((lines) => sent.push(...lines.map((l) => l.id)));
    expect(sent).toEqual(['x-1-0', 'x-1-2', 'x-1-4']);
    expect(held.holding).toBe(false);
    expect(held.dropped).toBe(0);
  });

  it('drops its oldest lines past its bound and counts them', () => {
    const held = new HeldLines();
    const big = 'x'.repeat(64 * 1024);
    const chunks = Math.ceil(MAX_HELD_BYTES / big.length) + 10;
    for (let i = 0; i < chunks; i += 1) held.push([line(`x-1-${i}`, i, big)]);
    const sent: string[] = [];
    held.release((lines) => sent.push(...lines.map((l) => l.id)));
    expect(held.dropped).toBeGreaterThanOrEqual(10);
    expect(held.dropped + sent.length).toBe(chunks);
    expect(sent.at(-1)).toBe(`x-1-${chunks - 1}`);
    expect(sent[0]).toBe(`x-1-${held.dropped}`);
  });
});
