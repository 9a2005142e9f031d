import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** How many leading bytes the fingerprint covers: enough to tell two log files apart by their first lines. */
export const FINGERPRINT_MAX_BYTES = 256;

/**
 * Which file this is, independent of its path: a file keeps its device and inode across renames, and
 * the fingerprint of its first bytes catches an inode the file system handed to a new file after the
 * old one was deleted. `gen` names one generation of the file's contents (see newGeneration).
 */
export interface FileIdentity {
  /** Device and inode as decimal strings: inode numbers can exceed 2^53. */
  dev: string;
  ino: string;
  /** sha256 (hex) of the first `fingerprintLength` bytes. */
  fingerprint: string;
  fingerprintLength: number;
  gen: string;
}

export interface Fingerprint {
  fingerprint: string;
  fingerprintLength: number;
}

/** Key for maps of files by identity: one open file per device and inode at a time. */
export function inodeKey(stats: Pick<BigIntStats, 'dev' | 'ino'> | Pick<FileIdentity, 'dev' | 'ino'>): string {
  return `${String(stats.dev)}:${String(stats.ino)}`;
}

/** A fresh generation tag, for a new file, a reused inode or a truncated file. */
export function newGeneration(): string {
  return randomBytes(4).toString('hex');
}

/** The fileId sent on the wire: inode in hex plus the generation, so offsets never mix across generations. */
export function fileIdOf(identity: Pick<FileIdentity, 'ino' | 'gen'>): string {
  return `${BigInt(identity.ino).toString(16)}.${identity.gen}`;
}

/**
 * The fingerprint a deleted file's checkpoint keeps once the file is closed: longer than any head that
 * is read, so it matches no file, not even one the file system gives the freed inode later.
 */
export const DELETED_FINGERPRINT: Fingerprint = { fingerprint: '0'.repeat(64), fingerprintLength: FINGERPRINT_MAX_BYTES + 1 };

export function fingerprintOf(head: Buffer): Fingerprint {
  const covered = head.subarray(0, FINGERPRINT_MAX_BYTES);
  return { fingerprint: createHash('sha256').update(covered).digest('hex'), fingerprintLength: covered.length };
}

/**
 * Whether a file whose first bytes are `head` (up to FINGERPRINT_MAX_BYTES of them) is the file that
 * `known` fingerprinted, compared on the shorter of the two lengths. A file now shorter than what was
 * fingerprinted has lost bytes from its start: truncated or replaced, so not the same contents.
 */
export function fingerprintMatches(head: Buffer, known: Fingerprint): boolean {
  if (head.length < known.fingerprintLength) return false;
  return fingerprintOf(head.subarray(0, known.fingerprintLength)).fingerprint === known.fingerprint;
}

/** Reads the first bytes of an open file, for fingerprinting. */
export async function readHead(handle: FileHandle): Promise<Buffer> {
  const buffer = Buffer.alloc(FINGERPRINT_MAX_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, FINGERPRINT_MAX_BYTES, 0);
  return buffer.subarray(0, bytesRead);
}
