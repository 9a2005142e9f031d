import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZstdCodec } from '../../../../server/history/codecs/zstd-codec.js';
import { CorruptBlockError } from '../../../../server/history/history-reader.js';
import { LogGenerator } from '../../../../lib/log-generator.js';

/** `count` access lines of the demo's kind, one a millisecond, as one Buffer. */
function logLines(count: number): Buffer {
  const generator = new LogGenerator('web-1', 1);
  const start = Date.UTC(2026, 11, 7, 10, 0, 0);
  return Buffer.from(Array.from({ length: count }, (_, i) => `${generator.accessLine(new Date(start + i))}\n`).join(''));
}

describe('ZstdCodec', () => {
  const codec = new ZstdCodec();

  it.each([
    ['empty', Buffer.alloc(0)],
    ['1 byte', Buffer.from('x')],
    ['binary', randomBytes(70_000)],
    ['1 MiB of log lines', logLines(8_000).subarray(0, 1024 * 1024)],
  ])('gives back %s input byte for byte', (_name, raw) => {
    const packed = codec.encode(raw);
    expect(codec.decode(packed, raw.length).equals(raw)).toBe(true);
  });

  it('shrinks log lines', () => {
    const raw = logLines(2_000);
    expect(codec.encode(raw).length).toBeLessThan(raw.length / 4);
  });

  it('refuses a damaged block with CorruptBlockError', () => {
    const raw = logLines(2_000);
    const packed = codec.encode(raw);
    const flipped = Buffer.from(packed);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    expect(() => codec.decode(flipped, raw.length)).toThrow(CorruptBlockError);
    expect(() => codec.decode(packed.subarray(0, packed.length - 10), raw.length)).toThrow(CorruptBlockError);
    expect(() => codec.decode(randomBytes(200), raw.length)).toThrow(CorruptBlockError);
    expect(() => codec.decode(Buffer.alloc(0), raw.length)).toThrow(CorruptBlockError);
  });

  it('refuses a block whose length is not the recorded one', () => {
    const raw = logLines(100);
    const packed = codec.encode(raw);
    expect(() => codec.decode(packed, raw.length + 1)).toThrow(CorruptBlockError);
    expect(() => codec.decode(packed, raw.length - 1)).toThrow(CorruptBlockError);
    expect(() => codec.decode(packed, -1)).toThrow(CorruptBlockError);
  });

  it('still works after refusing a damaged block', () => {
    const raw = Buffer.from('after the damage\n');
    expect(() => codec.decode(randomBytes(64), 10)).toThrow(CorruptBlockError);
    expect(codec.decode(codec.encode(raw), raw.length).equals(raw)).toBe(true);
  });
});
