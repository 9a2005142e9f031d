import type { BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { LineFormat } from '../formats/line-decoder.js';
import { fingerprintMatches, fingerprintOf, newGeneration, readHead, type FileIdentity } from './file-identity.js';

export interface OpenedFile {
  handle: FileHandle;
  stats: BigIntStats;
}

/** Opens `path` for reading; undefined when it is gone or not a regular file (a directory matching a glob). */
export async function openRegularFile(path: string): Promise<OpenedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw new Error(`open ${path}`, { cause: error });
  }
  const stats = await handle.stat({ bigint: true }).catch(async (error: unknown) => {
    await handle.close();
    throw new Error(`stat ${path}`, { cause: error });
  });
  if (!stats.isFile()) {
    await handle.close();
    return undefined;
  }
  return { handle, stats };
}

export interface Placement {
  identity: FileIdentity;
  /** Where to start reading: always a line boundary. */
  offset: number;
  size: number;
  reportPath: string;
  /** Why it starts there, for the log. */
  from: 'checkpoint' | 'end' | 'start';
  /** The format of its lines (agent/formats/), from the settings, its path or its first bytes. */
  format: LineFormat;
}

export interface PlacementContext {
  store: CheckpointStore;
  fromStart: boolean;
  maxLineBytes: number;
  /** The format of a file's lines from its report path and first bytes; plain when absent. */
  formatOf?: ((reportPath: string, head: Buffer) => LineFormat) | undefined;
}

/**
 * Decides where to start reading a newly opened file. A checkpoint for the same identity (inode and
 * matching first bytes) wins; otherwise a file that existed at start-up starts at its end (unless
 * fromStart) and a file that appeared later starts at 0. A file found at start-up in place of one the
 * state file knew under that path, or with an inode the state file knew holding other contents,
 * appeared or was rewritten while the agent was down, so it is read from 0 as well.
 */
export async function placeFile(opened: OpenedFile, path: string, existedAtStart: boolean, context: PlacementContext): Promise<Placement> {
  const { handle, stats } = opened;
  const size = Number(stats.size);
  const head = await readHead(handle);
  const formatOf = (reportPath: string, bytes: Buffer): LineFormat => context.formatOf?.(reportPath, bytes) ?? 'plain';
  const dev = String(stats.dev);
  const ino = String(stats.ino);
  const known = context.store.get({ dev, ino });
  if (known && fingerprintMatches(head, known) && known.offset <= size) {
    // The checkpoint's fingerprint, not one of the bytes there now: only what it covers is known to
    // be the same file. Bytes past it may have been rewritten while the agent was down (copytruncate);
    // the first read checks them and widens the fingerprint (see checkContents).
    const identity = { dev, ino, fingerprint: known.fingerprint, fingerprintLength: known.fingerprintLength, gen: known.gen };
    return { identity, offset: known.offset, size, reportPath: known.path, from: 'checkpoint', format: formatOf(known.path, head) };
  }
  const identity = { dev, ino, ...fingerprintOf(head), gen: newGeneration() };
  // The state file knows this inode but not these contents: the file it followed was rewritten while
  // the agent was down (copytruncate), perhaps renamed too. Its new lines are owed: read from 0.
  const startAtEnd = existedAtStart && !context.fromStart && !context.store.hasPath(path) && !known;
  // ...and keeps the name it was followed under, like any renamed file.
  if (!startAtEnd) return { identity, offset: 0, size, reportPath: known?.path ?? path, from: 'start', format: formatOf(known?.path ?? path, head) };
  return { identity, offset: await lastLineBoundary(handle, size, context.maxLineBytes + 2), size, reportPath: path, from: 'end', format: formatOf(path, head) };
}

/**
 * The end of the last complete line, so a line half-written when the agent starts is sent whole once
 * finished. Looks back at most `windowBytes`; past that the partial line would be cut anyway, so the
 * file's end is used.
 */
async function lastLineBoundary(handle: FileHandle, size: number, windowBytes: number): Promise<number> {
  const length = Math.min(size, windowBytes);
  if (length === 0) return size;
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, size - length);
  const lf = buffer.lastIndexOf(0x0a, bytesRead - 1);
  if (lf !== -1) return size - length + lf + 1;
  return length === size ? 0 : size;
}
