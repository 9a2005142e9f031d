import RE2 from 're2';
import type { FilterSpec, MatchRange } from '../../protocol/index.js';

/**
 * The straightforward evaluation of a filter, the one the optimized engine must agree with: each
 * line on its own, as a string, one RE2 call after another. Returns the matching lines' indexes
 * with their UTF-16 ranges. Ignores host and file globs.
 */
export function referenceMatches(spec: FilterSpec, lines: readonly string[]): Array<[number, MatchRange[]]> {
  const flags = spec.caseInsensitive ? 'gi' : 'g';
  const include = spec.query ? new RE2(spec.query, flags) : undefined;
  const exclude = spec.exclude ? new RE2(spec.exclude, flags.replace('g', '')) : undefined;
  const out: Array<[number, MatchRange[]]> = [];
  lines.forEach((line, index) => {
    const ranges: MatchRange[] = [];
    if (include) {
      include.lastIndex = 0;
      if (!include.test(line)) return;
      // Not String#matchAll: after an empty match it steps one code unit, into the middle of a
      // surrogate pair, where node-re2 reports wrong offsets. Step one code point instead.
      for (let at = 0; at <= line.length; ) {
        include.lastIndex = at;
        const found = include.exec(line);
        if (!found) break;
        if (found[0].length > 0) ranges.push([found.index, found.index + found[0].length]);
        at = found[0].length > 0 ? found.index + found[0].length : found.index + (line.codePointAt(found.index)! > 0xffff ? 2 : 1);
      }
    }
    if (exclude?.test(line)) return;
    out.push([index, ranges]);
  });
  return out;
}
