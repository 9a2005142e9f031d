import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBlock, decodeBlock, BLOCK_HEADER_BYTES } from '../../../../server/history/block-format.js';
import { BLOCK_CODECS, defaultBlockCodec } from '../../../../server/history/codecs/codec-registry.js';
import { CorruptBlockError } from '../../../../server/history/history-reader.js';
import { encodeWalRecord, readWalRecords, writeFully, type WalRecord } from '../../../../server/history/wal.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const batch = (firstPos: number, text: string, truncated?: number[]) => ({
  body: Buffer.from(text),
  firstPos,
  ts: 1_700_000_000_000 + firstPos,
  truncated: truncated && new Set(truncated),
});

const records: WalRecord[] = [
  { sourceNum: 1, host: 'web-1', file: '/var/log/app.log', batch: batch(0, 'one\ntwo\n'), resume: { fileId: 'a.1', endOffset: 8, token: undefined } },
  { sourceNum: 2, host: 'web-2', file: '/var/log/é.log', batch: batch(0, 'cut\n', [0]), resume: { fileId: 'b.2', endOffset: 90_000, token: 'web' } },
  { sourceNum: 1, host: 'web-1', file: '/var/log/app.log', batch: batch(8, 'three\n') },
];

describe('WAL records', () => {
  it('read back exactly as written', () => {
    const bytes = Buffer.concat(records.flatMap(encodeWalRecord));
    const { records: read, validBytes } = readWalRecords(bytes);
    expect(validBytes).toBe(bytes.length);
    expect(read).toEqual(records);
  });

  it('stop at a torn last record, keeping every whole one before it', () => {
    const whole = Buffer.concat(records.slice(0, 2).flatMap(encodeWalRecord));
    const last = Buffer.concat(encodeWalRecord(records[2]!));
    for (const cut of [1, 7, 8, last.length - 1]) {
      const { records: read, validBytes } = readWalRecords(Buffer.concat([whole, last.subarray(0, cut)]));
      expect(read).toEqual(records.slice(0, 2));
      expect(validBytes).toBe(whole.length);
    }
  });

  it('stop at a record whose checksum fails', () => {
    const bytes = Buffer.concat(records.flatMap(encodeWalRecord));
    const second = Buffer.concat(encodeWalRecord(records[0]!)).length;
    bytes[second + 20]! ^= 0xff;
    expect(readWalRecords(bytes).records).toEqual(records.slice(0, 1));
  });

  it('hand on a large batch body as it is, not a copy of it', () => {
    const body = Buffer.from('x'.repeat(8191) + '\n');
    const record: WalRecord = { sourceNum: 7, host: 'h', file: '/f', batch: { body, firstPos: 0, ts: 1, truncated: undefined } };
    const parts = encodeWalRecord(record);
    expect(parts.at(-1)).toBe(body);
    expect(readWalRecords(Buffer.concat(parts)).records).toEqual([record]);
  });
});

describe('writeFully', () => {
  it('writes a list of buffers in order at the position given', async () => {
    const temp = await makeTempDir();
    try {
      const path = join(temp.dir, 'f');
      const fd = openSync(path, 'w+');
      try {
        writeFully(fd, Buffer.from('head:'), 0);
        writeFully(fd, [Buffer.from('one,'), Buffer.alloc(0), Buffer.from('two,'), Buffer.from('three')], 5);
        writeFully(fd, [Buffer.from('TWO,')], 9);
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(path, 'utf8')).toBe('head:one,TWO,three');
    } finally {
      await temp.cleanup();
    }
  });
});

describe('blocks', () => {
  const meta = { sourceNum: 3, firstPos: 100, endPos: 118, minTime: 5, maxTime: 9, lineCount: 3, rawBytes: 18 };
  const batches = [batch(100, 'alpha\nbeta\n', [6]), batch(111, 'gamma!\n')];

  it('decode to the batches they were given, with their header', () => {
    const decoded = decodeBlock(encodeBlock(meta, batches, defaultBlockCodec), BLOCK_CODECS);
    expect(decoded.meta).toEqual(meta);
    expect(decoded.batches).toEqual(batches);
  });

  it('stay as encoded while later blocks are encoded', () => {
    const first = encodeBlock(meta, batches, defaultBlockCodec);
    const copy = Buffer.from(first);
    encodeBlock({ ...meta, firstPos: 0, endPos: 7 }, [batch(0, 'other!\n')], defaultBlockCodec);
    expect(first).toEqual(copy);
    expect(decodeBlock(first, BLOCK_CODECS).batches).toEqual(batches);
  });

  it('refuse any flipped byte, header or data, with CorruptBlockError', () => {
    const bytes = encodeBlock(meta, batches, defaultBlockCodec);
    for (const at of [0, 5, 12, BLOCK_HEADER_BYTES - 1, BLOCK_HEADER_BYTES, bytes.length - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0x40;
      expect(() => decodeBlock(damaged, BLOCK_CODECS), `byte ${at}`).toThrow(CorruptBlockError);
    }
    expect(() => decodeBlock(bytes.subarray(0, bytes.length - 1), BLOCK_CODECS)).toThrow(CorruptBlockError);
  });

  it('refuse a codec the hub does not know', () => {
    const bytes = encodeBlock(meta, batches, { id: 200, name: 'unknown', encode: (raw: Buffer) => defaultBlockCodec.encode(raw), decode: (data: Buffer, rawLength: number) => defaultBlockCodec.decode(data, rawLength) });
    expect(() => decodeBlock(bytes, BLOCK_CODECS)).toThrow(/unknown block codec 200/);
  });
});
