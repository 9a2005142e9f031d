import { describe, expect, it } from 'vitest';
import { LineEnds, LineSplitter } from '../../../../agent/tailing/line-splitter.js';

interface Run {
  lines: string[];
  /** Lines that came out cut, by their text. */
  truncated: string[];
  droppedBytes: number;
  /** File offsets where each result's lines ended. */
  endOffsets: number[];
  /** Where the next read would start. */
  readOffset: number;
  results: number;
}

/**
 * Plays the tailer: reads `readBytes` at a time from `file` starting where the last result said to,
 * the way FileTailer re-reads a partial line. Bounded: each round must make progress.
 */
function run(file: Buffer, options: { maxLineBytes: number; readBytes?: number; maxBodyBytes?: number; final?: boolean }): Run {
  const splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes });
  const readBytes = options.readBytes ?? file.length + 1;
  const out: Run = { lines: [], truncated: [], droppedBytes: 0, endOffsets: [], readOffset: 0, results: 0 };
  for (let round = 0; round < 100_000; round += 1) {
    const start = out.readOffset;
    const chunk = file.subarray(start, start + readBytes);
    const final = options.final === true && start + chunk.length === file.length;
    const result = splitter.split(chunk, options.maxBodyBytes, final);
    out.readOffset = start + result.consumedBytes;
    if (result.lineCount > 0) {
      out.results += 1;
      out.endOffsets.push(start + result.endBytes);
      const text = result.body.toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      expect(lines).toHaveLength(result.lineCount);
      const lineStarts = lines.map((_, index) => Buffer.byteLength(lines.slice(0, index).map((line) => `${line}\n`).join('')));
      for (const offset of result.truncated) out.truncated.push(lines[lineStarts.indexOf(offset)] as string);
      out.lines.push(...lines);
      out.droppedBytes += result.droppedBytes;
    }
    if (result.consumedBytes === 0 && !result.bodyFull) return out;
    if (out.readOffset >= file.length && !splitter.holding) return out;
  }
  throw new Error('splitter made no progress');
}

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

describe('LineSplitter', () => {
  it.each([
    { name: 'plain lines', input: bytes('a\nbb\nccc\n'), lines: ['a', 'bb', 'ccc'] },
    { name: 'empty lines', input: bytes('\n\nx\n'), lines: ['', '', 'x'] },
    { name: 'CRLF', input: bytes('a\r\nb\r\n'), lines: ['a', 'b'] },
    { name: 'a lone CR inside a line is kept', input: bytes('a\rb\n\r\n'), lines: ['a\rb', ''] },
    { name: 'invalid UTF-8 byte', input: bytes('a', [0xff], 'b\nok\n'), lines: ['a\uFFFDb', 'ok'] },
    { name: 'truncated UTF-8 sequence', input: bytes([0xe2, 0x82], '\n'), lines: ['\uFFFD'] },
    { name: 'UTF-8-encoded surrogate', input: bytes([0xed, 0xa0, 0x80], '\n'), lines: ['\uFFFD\uFFFD\uFFFD'] },
    { name: 'valid multi-byte text', input: bytes('héllo €uro 😀\n'), lines: ['héllo €uro 😀'] },
  ])('$name', ({ input, lines }) => {
    const result = run(input, { maxLineBytes: 64 });
    expect(result.lines).toEqual(lines);
    expect(result.truncated).toEqual([]);
    expect(result.droppedBytes).toBe(0);
    expect(result.readOffset).toBe(input.length);
  });

  it.each([
    { name: 'exactly maxLineBytes', input: 'abcde\nxy\n', lines: ['abcde', 'xy'], truncated: [], dropped: 0 },
    { name: 'exactly maxLineBytes before CRLF', input: 'abcde\r\nxy\n', lines: ['abcde', 'xy'], truncated: [], dropped: 0 },
    { name: 'one byte over', input: 'abcdef\nxy\n', lines: ['abcde', 'xy'], truncated: ['abcde'], dropped: 1 },
    { name: 'over, with CRLF', input: 'abcdefg\r\nxy\r\n', lines: ['abcde', 'xy'], truncated: ['abcde'], dropped: 2 },
    { name: 'a 3-byte character across the cut', input: 'abcd€\nxy\n', lines: ['abcd', 'xy'], truncated: ['abcd'], dropped: 3 },
    { name: 'a 4-byte character across the cut', input: 'abc😀\n', lines: ['abc'], truncated: ['abc'], dropped: 4 },
    { name: 'a character ending at the cut', input: 'ab€cd\n', lines: ['ab€'], truncated: ['ab€'], dropped: 2 },
  ])('cuts long lines: $name', ({ input, lines, truncated, dropped }) => {
    const result = run(bytes(input), { maxLineBytes: 5 });
    expect(result.lines).toEqual(lines);
    expect(result.truncated).toEqual(truncated);
    expect(result.droppedBytes).toBe(dropped);
  });

  it('repairs an over-long line with invalid bytes and keeps it within maxLineBytes', () => {
    const input = bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], '\n');
    const result = run(input, { maxLineBytes: 5 });
    expect(result.lines).toEqual(['\uFFFD']);
    expect(Buffer.byteLength(result.lines[0] as string)).toBeLessThanOrEqual(5);
    expect(result.truncated).toHaveLength(1);
  });

  it.each([
    { name: 'a partial line is re-read whole once its newline arrives', input: 'xx\n012345\r\n', readBytes: 10, lines: ['xx', '012345'], results: 2 },
    { name: 'a CRLF split by the read is stripped', input: 'xx\n012345\r\nyy\n', readBytes: 10, lines: ['xx', '012345', 'yy'], results: 3 },
  ])('$name', ({ input, readBytes, lines, results }) => {
    const result = run(bytes(input), { maxLineBytes: 8, readBytes });
    expect(result.lines).toEqual(lines);
    expect(result.results).toBe(results);
  });

  it('strips a CR that ended one read of an over-long line when the LF starts the next', () => {
    // Reads of 6: "abcdef" | "ghijk\r" | "\nnext\n": the head is held across all three.
    const result = run(bytes('abcdefghijk\r\nnext\n'), { maxLineBytes: 4, readBytes: 6 });
    expect(result.lines).toEqual(['abcd', 'next']);
    expect(result.truncated).toEqual(['abcd']);
    expect(result.droppedBytes).toBe(7);
  });

  it('holds a partial last line until its newline arrives', () => {
    const splitter = new LineSplitter({ maxLineBytes: 64 });
    const first = splitter.split(bytes('one\ntw'));
    expect(first.body.toString()).toBe('one\n');
    expect(first.consumedBytes).toBe(4);
    expect(first.endBytes).toBe(4);
    const second = splitter.split(bytes('two\n'));
    expect(second.body.toString()).toBe('two\n');
  });

  it('sends a partial last line when the file is closed for good', () => {
    const result = run(bytes('one\ntwo\r'), { maxLineBytes: 64, final: true });
    expect(result.lines).toEqual(['one', 'two']);
    expect(result.readOffset).toBe(8);
  });

  it('sends a held over-long head when the file ends without its newline', () => {
    const result = run(bytes('abcdefghij'), { maxLineBytes: 4, readBytes: 6, final: true });
    expect(result.lines).toEqual(['abcd']);
    expect(result.droppedBytes).toBe(6);
  });

  it('cuts a several-MiB line fed in chunks, holding only its head, and keeps the next line intact', () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 'x');
    const input = Buffer.concat([bytes('before\n'), huge, bytes('\nafter\n')]);
    const result = run(input, { maxLineBytes: 64 * 1024, readBytes: 512 * 1024 });
    expect(result.lines.map((line) => line.length)).toEqual([6, 64 * 1024, 5]);
    expect(result.lines[2]).toBe('after');
    expect(result.truncated).toHaveLength(1);
    expect(result.droppedBytes).toBe(huge.length - 64 * 1024);
    // Every result ends on a true line boundary of the file, so the hub can resume there.
    for (const end of result.endOffsets) expect(input[end - 1]).toBe(0x0a);
  });

  it('stops at maxBodyBytes on a line boundary but always takes one line', () => {
    const result = run(bytes('aa\nbb\ncc\nlonger line\n'), { maxLineBytes: 64, maxBodyBytes: 4 });
    expect(result.lines).toEqual(['aa', 'bb', 'cc', 'longer line']);
    expect(result.results).toBe(4);
    expect(result.endOffsets).toEqual([3, 6, 9, 21]);
  });

  it('hands out a clean chunk as a slice of the read buffer, without copying', () => {
    const chunk = bytes('one\ntwo\nthr');
    const result = new LineSplitter({ maxLineBytes: 64 }).split(chunk);
    expect(result.body.buffer).toBe(chunk.buffer);
    expect(result.body.byteOffset).toBe(chunk.byteOffset);
    expect(result.body.toString()).toBe('one\ntwo\n');
  });

  it('forgets a held head on reset, so a re-read from a line boundary starts clean', () => {
    const splitter = new LineSplitter({ maxLineBytes: 4 });
    splitter.split(bytes('abcdefgh'));
    expect(splitter.holding).toBe(true);
    splitter.reset();
    expect(splitter.holding).toBe(false);
    expect(splitter.split(bytes('ok\n')).body.toString()).toBe('ok\n');
  });
  it('writes a NUL byte of the text as U+2400, so 0x00 on the wire only ever breaks an event', () => {
    const chunk = bytes('clean\nnul\u0000in\u0000it\nclean again\n');
    const result = new LineSplitter({ maxLineBytes: 64 }).split(chunk);
    expect(result.body.toString()).toBe('clean\nnul\u2400in\u2400it\nclean again\n');
    expect(result.body.includes(0)).toBe(false);
    expect(result.consumedBytes).toBe(chunk.length);
  });

  it('keeps a line with NUL bytes within maxLineBytes once they are written as U+2400', () => {
    const result = run(bytes(`${'\u0000'.repeat(10)}\nnext\n`), { maxLineBytes: 9 });
    expect(result.lines).toEqual(['\u2400'.repeat(3), 'next']);
    expect(result.truncated).toEqual(['\u2400'.repeat(3)]);
    // An over-long line held across reads gets the same treatment.
    const held = run(bytes(`${'\u0000'.repeat(20)}\nnext\n`), { maxLineBytes: 9, readBytes: 12 });
    expect(held.lines).toEqual(['\u2400'.repeat(3), 'next']);
  });

  it('reports where each line ended in the chunk and the bytes dropped up to it', () => {
    const ends = new LineEnds();
    const result = new LineSplitter({ maxLineBytes: 4 }).split(bytes('ab\r\ntoolong\ncd\npart'), Number.POSITIVE_INFINITY, false, ends);
    expect(result.body.toString()).toBe('ab\ntool\ncd\n');
    expect(ends.ends).toEqual([4, 12, 15]);
    expect(ends.dropped).toEqual([0, 3, 3]);
  });
});
