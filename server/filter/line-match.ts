import type { MatchRange } from '../../protocol/index.js';
import type { CompiledPattern } from './filter-compiler.js';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Every non-empty match of `pattern` in `line` as UTF-16 [start, end) ranges, or undefined when the
 * line does not match at all. A line matched only by empty matches (`x*`) matches with no ranges.
 */
export function matchRanges(pattern: CompiledPattern, line: string): MatchRange[] | undefined {
  const re = pattern.line;
  re.lastIndex = 0;
  let found = re.exec(line);
  if (found === null) return undefined;
  const ranges: MatchRange[] = [];
  while (found !== null) {
    const start = found.index;
    const end = start + found[0].length;
    if (end > start) {
      ranges.push([start, end]);
      re.lastIndex = end;
    } else {
      // An empty match would be found again at the same place: step over one code point.
      const next = end + (isHighSurrogate(line.charCodeAt(end)) ? 2 : 1);
      if (next > line.length) break;
      re.lastIndex = next;
    }
    found = re.exec(line);
  }
  return ranges;
}

/** True when `pattern` matches somewhere in `line`. */
export function testLine(pattern: CompiledPattern, line: string): boolean {
  pattern.line.lastIndex = 0;
  return pattern.line.test(line);
}
