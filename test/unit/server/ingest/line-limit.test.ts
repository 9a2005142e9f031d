import { describe, expect, it } from 'vitest';
import { limitLineLength } from '../../../../server/ingest/line-limit.js';

const body = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));

describe('limitLineLength', () => {
  it('returns the same buffer when no line is too long', () => {
    const input = body(['abc', 'defgh', '']);
    const result = limitLineLength(input, undefined, 5);
    expect(result.body).toBe(input);
    expect(result).toMatchObject({ truncated: undefined, cutLines: 0 });
  });

  it.each<[string, string[], number, string[], number[]]>([
    ['one long line', ['ok', 'x'.repeat(12), 'end'], 5, ['ok', 'xxxxx', 'end'], [3]],
    ['several, including the last', ['y'.repeat(7), 'ok', 'z'.repeat(9)], 4, ['yyyy', 'ok', 'zzzz'], [0, 8]],
    ['where a character ends exactly at the limit', ['aé€😀b'], 6, ['aé€'], [0]], // a(1) é(2) €(3) = 6 bytes
    ['before a character that straddles the limit', ['aé€😀b'], 5, ['aé'], [0]],
    ['never inside a 4-byte character', ['ab😀'], 4, ['ab'], [0]],
  ])('cuts %s', (_name, lines, max, expected, offsets) => {
    const result = limitLineLength(body(lines), undefined, max);
    expect(result.body.toString()).toBe(expected.map((line) => `${line}\n`).join(''));
    expect([...(result.truncated ?? [])].sort((a, b) => a - b)).toEqual(offsets);
    expect(result.cutLines).toBe(offsets.length);
  });

  it('moves the sender’s truncated offsets past the bytes it removed', () => {
    // Lines at 0 ("long..."), 21 ("agent-cut"), 31 ("x").
    const input = body(['l'.repeat(20), 'agent-cut', 'x']);
    const result = limitLineLength(input, [21], 10);
    expect(result.body.toString()).toBe(`${'l'.repeat(10)}\nagent-cut\nx\n`);
    expect([...result.truncated!].sort((a, b) => a - b)).toEqual([0, 11]);
  });
});
