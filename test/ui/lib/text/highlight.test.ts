import { describe, expect, it } from 'vitest';
import { parseAnsi } from '../../../../ui/src/lib/text/ansi.js';
import { normalizeRanges, splitPieces } from '../../../../ui/src/lib/text/highlight.js';

const split = (text: string, ranges: [number, number][], limit?: number, from?: number) =>
  splitPieces(text, parseAnsi(text), ranges, limit, from).map((piece) => [piece.text, piece.mark]);

describe('normalizeRanges', () => {
  it('sorts, clamps to the line and drops empty ranges', () => {
    expect(normalizeRanges('0123456789', [[8, 20], [2, 4], [5, 5], [7, 3]])).toEqual([[2, 4], [8, 10]]);
  });

  it('merges overlapping ranges but keeps touching ones apart (they are separate matches)', () => {
    expect(normalizeRanges('abcdefghij', [[0, 4], [2, 6], [6, 8]])).toEqual([[0, 6], [6, 8]]);
  });

  it('widens a range that would split a surrogate pair', () => {
    const text = 'a😀b'; // the emoji is two UTF-16 units at 1..3
    expect(normalizeRanges(text, [[2, 3]])).toEqual([[1, 3]]);
    expect(normalizeRanges(text, [[0, 2]])).toEqual([[0, 3]]);
  });
});

describe('splitPieces', () => {
  it('cuts the line at the hub ranges and numbers the marks', () => {
    expect(split('GET /x status=503 in 20ms', [[7, 17]])).toEqual([
      ['GET /x ', -1],
      ['status=503', 0],
      [' in 20ms', -1],
    ]);
  });

  it('handles ranges at the very start and end', () => {
    expect(split('error here', [[0, 5], [9, 10]])).toEqual([
      ['error', 0],
      [' her', -1],
      ['e', 1],
    ]);
  });

  it('highlights astral characters whole, with offsets counted in UTF-16 units', () => {
    const text = 'ok 🔥🔥 fire';
    // The hub matched the two emoji: offsets 3..7 (each emoji is two units).
    expect(split(text, [[3, 7]])).toEqual([
      ['ok ', -1],
      ['🔥🔥', 0],
      [' fire', -1],
    ]);
  });

  it('never produces half a surrogate pair, even from a bad range', () => {
    const pieces = split('x🔥y', [[2, 4]]);
    expect(pieces).toEqual([
      ['x', -1],
      ['🔥y', 0],
    ]);
  });

  it('keeps overlapping ranges as one mark and adjacent ones as two', () => {
    expect(split('abcdef', [[0, 3], [1, 2]])).toEqual([
      ['abc', 0],
      ['def', -1],
    ]);
    expect(split('abcdef', [[0, 3], [3, 6]])).toEqual([
      ['abc', 0],
      ['def', 1],
    ]);
  });

  it('applies raw offsets across ANSI escapes, splitting a match at a colour change', () => {
    const raw = 'level=\x1b[31mERROR\x1b[0m code=7';
    // Raw offsets: "level=" 0..6, escape 6..11, "ERROR" 11..16, escape 16..20, " code=7" 20..27.
    const pieces = splitPieces(raw, parseAnsi(raw), [[3, 16]]);
    expect(pieces.map((piece) => [piece.text, piece.mark, piece.style?.fg])).toEqual([
      ['lev', -1, undefined],
      ['el=', 0, undefined],
      ['ERROR', 0, { kind: 'palette', index: 1 }],
      [' code=7', -1, undefined],
    ]);
  });

  it('stops at the limit without splitting a surrogate pair', () => {
    expect(split('ab😀cd', [], 3)).toEqual([['ab😀', -1]]);
    expect(split('abcdef', [[1, 5]], 3)).toEqual([
      ['a', -1],
      ['bc', 0],
    ]);
  });
});
