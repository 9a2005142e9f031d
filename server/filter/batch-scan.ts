import type { MatchRange } from '../../protocol/index.js';
import { matchRanges } from './line-match.js';
import type { CompiledPattern } from './filter-compiler.js';

const NEWLINE = 0x0a;

/** A match of RE2 over a Buffer: byte offset and the matched bytes. */
interface BufferMatch {
  index: number;
  0: Buffer;
}

/**
 * Visits every line that `pattern` (batch-safe) matches on its own, with its text and UTF-16
 * match ranges, in one pass of the batch regex over the whole body.
 *
 * For an ASCII line, byte offsets are UTF-16 offsets, and a batch match that starts and ends
 * inside the line is exactly the match the line alone would give (same characters; '\n' before
 * and after behaves like the ends of a string for `^`, `$` and `\b` in multi-line mode). So the
 * regex simply continues from each match's end, and the first match past the line is the next
 * candidate: one native call per match, none per non-matching line. A match running past the
 * line's end (`\s` eating the '\n') or a non-ASCII line falls back to evaluating the line alone.
 */
export function scanMatches(
  pattern: CompiledPattern,
  body: Buffer,
  visit: (start: number, end: number, text: string, ranges: MatchRange[]) => void,
): void {
  const re = pattern.batch;
  re.lastIndex = 0;
  let found = re.exec(body) as BufferMatch | null;
  while (found !== null) {
    const at = found.index;
    // `^$` can match just after the last '\n', which is not a line.
    if (at >= body.length) return;
    // lastIndexOf with a negative offset would count from the end, hence the explicit 0.
    const start = at === 0 ? 0 : body.lastIndexOf(NEWLINE, at - 1) + 1;
    const end = body.indexOf(NEWLINE, at);
    const text = body.toString('utf8', start, end);
    let ranges: MatchRange[] | undefined;
    // The next candidate, when the continued search already found it; undefined when not searched.
    let next: BufferMatch | null | undefined;
    if (text.length === end - start) {
      ranges = [];
      let match = found;
      for (;;) {
        const matchStart = match.index;
        const matchEnd = matchStart + match[0].length;
        if (matchEnd > end) {
          ranges = undefined;
          break;
        }
        if (matchEnd > matchStart) ranges.push([matchStart - start, matchEnd - start]);
        // After an empty match step one byte (one character on an ASCII line), as matchRanges does.
        re.lastIndex = matchEnd > matchStart ? matchEnd : matchEnd + 1;
        const following = re.exec(body) as BufferMatch | null;
        if (following === null || following.index > end) {
          next = following;
          break;
        }
        match = following;
      }
    }
    if (ranges === undefined) ranges = matchRanges(pattern, text);
    if (ranges !== undefined) visit(start, end, text, ranges);
    if (next === undefined) {
      if (end + 1 >= body.length) return;
      re.lastIndex = end + 1;
      next = re.exec(body) as BufferMatch | null;
    }
    found = next;
  }
}
