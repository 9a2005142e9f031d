import type { FileHandle } from 'node:fs/promises';
import { fingerprintMatches, fingerprintOf, FINGERPRINT_MAX_BYTES, readHead, type Fingerprint } from './file-identity.js';

/** What an open file turned out to hold, compared with what the tailer knew of it. */
export type ContentCheck =
  | { kind: 'same' }
  /** The same contents, grown: a fingerprint taken while the file was short can now cover more. */
  | { kind: 'widened'; fingerprint: Fingerprint }
  /** Not the contents we read: start over under a new generation. */
  | { kind: 'replaced'; head: Buffer; size: number; reason: string };

/**
 * Checks an open file against its known fingerprint. With `readOffset` (the bytes before it changed),
 * first checks its size: a file now shorter than what was read was truncated (copytruncate),
 * whatever its first bytes say.
 */
export async function checkContents(handle: FileHandle, known: Fingerprint, readOffset?: number): Promise<ContentCheck> {
  let size: number | undefined;
  if (readOffset !== undefined) {
    size = (await handle.stat()).size;
    if (size < readOffset) return { kind: 'replaced', head: await readHead(handle), size, reason: 'file shrank below the read offset (truncated)' };
  }
  const head = await readHead(handle);
  if (!fingerprintMatches(head, known)) {
    return { kind: 'replaced', head, size: size ?? head.length, reason: 'first bytes of the file changed (truncated and rewritten)' };
  }
  // Asked with readOffset only when the bytes just before it are not what they should be. A
  // fingerprint that covers them vouches that the file is the same (the check was a false alarm: an
  // offset that is not a line end); one taken while the file was shorter cannot. That happens after a
  // restart: the state file may hold the fingerprint of a file first seen empty while the hub's
  // resume point is further on, and a copytruncate meanwhile rewrote those bytes.
  if (readOffset !== undefined && known.fingerprintLength < Math.min(readOffset, FINGERPRINT_MAX_BYTES)) {
    return { kind: 'replaced', head, size: size ?? head.length, reason: 'bytes before the read offset changed, beyond what the fingerprint covers (truncated and rewritten)' };
  }
  if (known.fingerprintLength < FINGERPRINT_MAX_BYTES && head.length > known.fingerprintLength) {
    return { kind: 'widened', fingerprint: fingerprintOf(head) };
  }
  return { kind: 'same' };
}
