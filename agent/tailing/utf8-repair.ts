import { isUtf8 } from 'node:buffer';

/**
 * Returns `bytes` unchanged when it is valid UTF-8, otherwise a copy where every invalid sequence is
 * replaced by U+FFFD. Node's UTF-8 decoder already replaces per the WHATWG Encoding standard, so
 * decoding and re-encoding is the repair; it only runs on the rare line that fails `isUtf8`.
 */
export function toValidUtf8(bytes: Buffer): Buffer {
  if (isUtf8(bytes)) return bytes;
  return Buffer.from(bytes.toString('utf8'), 'utf8');
}

/** Longest a UTF-8 character can be; a cut never backs off further than this. */
const MAX_UTF8_CHAR_BYTES = 4;

/**
 * How many bytes of `bytes[start, end)` to keep so the kept part is at most `maxBytes` long and does
 * not end inside a multi-byte character. Backs off at most 3 bytes, so invalid input (a long run of
 * continuation bytes) still gets a cut close to `maxBytes` and is repaired afterwards.
 */
function utf8CutLength(bytes: Buffer, start: number, end: number, maxBytes: number): number {
  if (end - start <= maxBytes) return end - start;
  let cut = start + maxBytes;
  const floor = Math.max(start, cut - (MAX_UTF8_CHAR_BYTES - 1));
  // A continuation byte (10xxxxxx) at the cut means a character straddles it: keep none of it.
  while (cut > floor && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  if (cut === floor && ((bytes[cut] ?? 0) & 0xc0) === 0x80) return maxBytes;
  return cut - start;
}

/**
 * Cuts `bytes[start, end)` to at most `maxBytes` on a character boundary and repairs invalid UTF-8.
 * Repair can grow the line (one bad byte becomes a 3-byte U+FFFD), so the result is cut once more.
 * Returns the kept bytes and how many content bytes were left out.
 */
export function cutLine(bytes: Buffer, start: number, end: number, maxBytes: number): { kept: Buffer; droppedBytes: number } {
  const rawKept = utf8CutLength(bytes, start, end, maxBytes);
  let kept = toValidUtf8(bytes.subarray(start, start + rawKept));
  let droppedBytes = end - start - rawKept;
  if (kept.length > maxBytes) {
    const again = utf8CutLength(kept, 0, kept.length, maxBytes);
    droppedBytes += kept.length - again;
    kept = kept.subarray(0, again);
  }
  return { kept, droppedBytes };
}
