import { describe, expect, it } from 'vitest';
import { lineTime, olderBound, olderLinesToPrepend, seamLines } from '../../../../ui/src/features/history/seam.js';
import { line } from '../../helpers/fake-hub.js';

const at = (id: string, ts: number, eventTs?: number) => line(id, { id, ts, ...(eventTs === undefined ? {} : { eventTs }) });

describe('the seam between live lines and history', () => {
  it('orders by the time a line states, else when it was read', () => {
    expect(lineTime(at('a', 5_000))).toBe(5_000);
    expect(lineTime(at('a', 5_000, 4_000))).toBe(4_000);
  });

  it('asks for lines up to and including the oldest line’s millisecond, so lines sharing it are not lost', () => {
    expect(olderBound(at('a', 5_000))).toBe(5_001);
    expect(olderBound(at('a', 5_000, 4_000))).toBe(4_001);
  });

  it('drops lines the view holds and lines a page repeats, keeping the page’s order', () => {
    const held = new Set(['c', 'd']);
    const page = [at('d', 40), at('c', 30), at('b', 20), at('b', 20), at('a', 10)];
    expect(seamLines(page, (id) => held.has(id)).map((l) => l.id)).toEqual(['b', 'a']);
  });

  it('turns a newest-first page into the lines to put above the view, oldest first, without duplicates', () => {
    // The live buffer starts at x (t=100); history answers to=101 newest first, including x itself
    // and y, a line of the same millisecond the buffer holds further down.
    const held = new Set(['x', 'y', 'z']);
    const page = [at('y', 100), at('x', 100), at('w', 100), at('v', 99), at('u', 98)];
    expect(olderLinesToPrepend(page, (id) => held.has(id)).map((l) => l.id)).toEqual(['u', 'v', 'w']);
  });
});
