import { crc32 } from 'node:zlib';
import type { BatchRef } from '../filter/batch-lines.js';
import { ByteReader, ByteWriter, MalformedError, readBatch, writeBatch } from './batch-codec.js';
import type { BlockCodec, CodecsById } from './block-codec.js';
import { CorruptBlockError } from './history-reader.js';

/** What a block's header says of it; the index holds the same, so a segment can be checked against it. */
export interface BlockMeta {
  sourceNum: number;
  firstPos: number;
  endPos: number;
  minTime: number;
  maxTime: number;
  lineCount: number;
  /** Bytes of line bodies. */
  rawBytes: number;
}

const MAGIC = 0x42484753; // "SGHB", little-endian
const FORMAT_VERSION = 1;
/** magic, version, codec, source, firstPos, endPos, minTime, maxTime, lines, line bytes, encoded length, data length, crc. */
export const BLOCK_HEADER_BYTES = 4 + 1 + 1 + 4 + 8 * 4 + 4 + 4 + 4 + 4 + 4;

/** A block's bytes before compression, reused from block to block (the codec copies out its result). */
let rawScratch = Buffer.alloc(0);

/**
 * A sealed block: header (with the codec id and a CRC-32 over header and data), then the batches,
 * each as it arrived (ts, firstPos, truncated offsets, body), compressed together.
 */
export function encodeBlock(meta: BlockMeta, batches: readonly BatchRef[], codec: BlockCodec): Buffer {
  const raw = new ByteWriter().u32(batches.length);
  for (const batch of batches) writeBatch(raw, batch);
  if (rawScratch.length < raw.length) rawScratch = Buffer.allocUnsafeSlow(Math.max(raw.length, rawScratch.length * 2));
  const encoded = raw.copyTo(rawScratch);
  const data = codec.encode(encoded);
  const header = Buffer.alloc(BLOCK_HEADER_BYTES);
  let at = header.writeUInt32LE(MAGIC, 0);
  at = header.writeUInt8(FORMAT_VERSION, at);
  at = header.writeUInt8(codec.id, at);
  at = header.writeUInt32LE(meta.sourceNum, at);
  for (const value of [meta.firstPos, meta.endPos, meta.minTime, meta.maxTime]) at = header.writeDoubleLE(value, at);
  at = header.writeUInt32LE(meta.lineCount, at);
  at = header.writeUInt32LE(meta.rawBytes, at);
  at = header.writeUInt32LE(encoded.length, at);
  at = header.writeUInt32LE(data.length, at);
  header.writeUInt32LE(crc32(data, crc32(header.subarray(0, at))), at);
  return Buffer.concat([header, data]);
}

export interface DecodedBlock {
  meta: BlockMeta;
  batches: BatchRef[];
}

/** Checks and decodes a block; any damage is a CorruptBlockError. */
export function decodeBlock(bytes: Buffer, codecs: CodecsById): DecodedBlock {
  if (bytes.length < BLOCK_HEADER_BYTES) throw new CorruptBlockError('block shorter than its header');
  let at = 0;
  const u32 = () => {
    const value = bytes.readUInt32LE(at);
    at += 4;
    return value;
  };
  const f64 = () => {
    const value = bytes.readDoubleLE(at);
    at += 8;
    return value;
  };
  if (u32() !== MAGIC) throw new CorruptBlockError('not a block (bad magic)');
  const version = bytes[at++]!;
  const codecId = bytes[at++]!;
  const meta: BlockMeta = { sourceNum: u32(), firstPos: f64(), endPos: f64(), minTime: f64(), maxTime: f64(), lineCount: u32(), rawBytes: u32() };
  const encodedLength = u32();
  const dataLength = u32();
  const headerEnd = at;
  const checksum = u32();
  if (version !== FORMAT_VERSION) throw new CorruptBlockError(`unknown block format ${version}`);
  if (bytes.length !== BLOCK_HEADER_BYTES + dataLength) throw new CorruptBlockError('block length does not match its header');
  const data = bytes.subarray(BLOCK_HEADER_BYTES);
  if (crc32(data, crc32(bytes.subarray(0, headerEnd))) !== checksum) throw new CorruptBlockError('block checksum mismatch');
  const codec = codecs.get(codecId);
  if (!codec) throw new CorruptBlockError(`unknown block codec ${codecId}`);
  let encoded: Buffer;
  try {
    encoded = codec.decode(data, encodedLength);
  } catch (cause) {
    throw new CorruptBlockError(`block does not decode: ${(cause as Error).message}`, { cause });
  }
  if (encoded.length !== encodedLength) throw new CorruptBlockError('block decodes to the wrong length');
  try {
    const input = new ByteReader(encoded);
    const count = input.u32();
    const batches: BatchRef[] = [];
    for (let i = 0; i < count; i += 1) batches.push(readBatch(input));
    if (input.remaining !== 0) throw new MalformedError('bytes after the last batch');
    return { meta, batches };
  } catch (error) {
    if (error instanceof MalformedError) throw new CorruptBlockError(`block contents: ${error.message}`, { cause: error });
    throw error;
  }
}
