import { ftruncateSync, openSync, writeSync, writevSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { BatchRef } from '../filter/batch-lines.js';
import { ByteReader, ByteWriter, MalformedError, readBatch, writeBatch } from './batch-codec.js';
import { FileSync, type SyncFunction } from './file-sync.js';

/** How far the hub holds a file generation of an agent: restored into the welcome's resume points. */
export interface ResumeMark {
  fileId: string;
  endOffset: number;
  /** The agent token's name, if the hub has agent tokens. */
  token: string | undefined;
}

/** One accepted batch as the write-ahead log keeps it. */
export interface WalRecord {
  sourceNum: number;
  host: string;
  file: string;
  batch: BatchRef;
  resume?: ResumeMark | undefined;
}

/** Frame: payload length (u32), CRC-32 of the payload (u32), payload. */
const FRAME_HEADER_BYTES = 8;

/** A record's bytes in order: its frame header and fields, then the batch body itself (not copied). */
export function encodeWalRecord(record: WalRecord): Buffer[] {
  const payload = new ByteWriter().u32(record.sourceNum).text(record.host).text(record.file);
  if (record.resume) {
    payload.u8(record.resume.token === undefined ? 1 : 2).text(record.resume.fileId).f64(record.resume.endOffset);
    if (record.resume.token !== undefined) payload.text(record.resume.token);
  } else {
    payload.u8(0);
  }
  writeBatch(payload, record.batch);
  const parts = payload.toBuffers();
  let checksum = 0;
  for (const part of parts) checksum = crc32(part, checksum);
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(checksum, 4);
  return [header, ...parts];
}

function decodePayload(payload: Buffer): WalRecord {
  const input = new ByteReader(payload);
  const sourceNum = input.u32();
  const host = input.text();
  const file = input.text();
  const resumeKind = input.u8();
  let resume: ResumeMark | undefined;
  if (resumeKind === 1 || resumeKind === 2) {
    const fileId = input.text();
    const endOffset = input.f64();
    resume = { fileId, endOffset, token: resumeKind === 2 ? input.text() : undefined };
  } else if (resumeKind !== 0) {
    throw new MalformedError('bad resume kind');
  }
  const batch = readBatch(input);
  if (input.remaining !== 0) throw new MalformedError('bytes after the batch');
  return { sourceNum, host, file, batch, resume };
}

export interface WalContents {
  records: WalRecord[];
  /** Bytes of whole, intact records from the start; anything after is a torn or damaged tail. */
  validBytes: number;
}

/**
 * The records of a WAL file, up to the first that is incomplete or fails its checksum: a write cut
 * short by a crash leaves a torn last record, which is dropped (its batch was never acknowledged).
 */
export function readWalRecords(bytes: Buffer): WalContents {
  const records: WalRecord[] = [];
  let offset = 0;
  while (offset + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    try {
      records.push(decodePayload(payload));
    } catch (error) {
      if (error instanceof MalformedError) break;
      throw error;
    }
    offset = end;
  }
  return { records, validBytes: offset };
}

/**
 * Writes `data` (one buffer, or several in order with one writev) at `position` of `fd` completely:
 * a regular file may take a write in parts.
 */
export function writeFully(fd: number, data: Buffer | readonly Buffer[], position: number): void {
  let parts: Buffer[] = Buffer.isBuffer(data) ? [data] : data.slice();
  let at = position;
  while (parts.length > 0) {
    const first = parts[0]!;
    let written = parts.length === 1 ? writeSync(fd, first, 0, first.length, at) : writevSync(fd, parts, at);
    at += written;
    let done = 0;
    while (done < parts.length && written >= parts[done]!.length) written -= parts[done++]!.length;
    parts = parts.slice(done);
    if (written > 0) parts[0] = parts[0]!.subarray(written);
  }
}

/**
 * One WAL file being written. Records go at the tracked end with positional writes, so after a
 * failed write (disk full) the next record overwrites the partial one instead of following it.
 * `file` forces them to disk (power loss) off the event loop, and closes the fd after its syncs.
 */
export class WalFile {
  readonly file: FileSync;
  size = 0;

  constructor(readonly path: string, readonly seq: number, syncFd?: SyncFunction) {
    this.file = new FileSync(openSync(path, 'w'), syncFd);
  }

  /** In the OS page cache when this returns: survives the process being killed. */
  append(record: readonly Buffer[]): void {
    let length = 0;
    for (const part of record) length += part.length;
    try {
      writeFully(this.file.fd, record, this.size);
    } catch (error) {
      try {
        ftruncateSync(this.file.fd, this.size);
      } catch {
        // The next append overwrites the partial record anyway; replay stops at a bad checksum.
      }
      throw error;
    }
    this.size += length;
    this.file.wrote();
  }
}
