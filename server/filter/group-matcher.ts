import type { MatchedLine } from '../../protocol/index.js';
import { makeLine, type BatchRef, type SourceRef } from './batch-lines.js';
import type { CompiledFilter } from './filter-compiler.js';
import { matchRanges, testLine } from './line-match.js';
import type { PatternGroup } from './pattern-group.js';

/**
 * Evaluates the filters of one pattern group over a batch in one pass: `members[i]` is the index
 * (in `filters`, `selected` and `found`) of the filter whose include pattern is the group's pattern
 * i. Appends each matching line to `found[index]` of every selected filter that matches it, in
 * order. A line is decoded once however many filters match it; ranges and the exclude pattern are
 * evaluated on the line alone, exactly as for a filter evaluated by itself.
 */
export function matchGroupInBatch(
  group: PatternGroup,
  members: readonly number[],
  filters: readonly CompiledFilter[],
  selected: Uint8Array,
  source: SourceRef,
  batch: BatchRef,
  found: Array<MatchedLine[] | undefined>,
): void {
  const body = batch.body;
  group.forEachMatchingLine(body, (start, end, matched) => {
    let text: string | undefined;
    for (const patternIndex of matched) {
      const index = members[patternIndex]!;
      if (!selected[index]) continue;
      const filter = filters[index]!;
      text ??= body.toString('utf8', start, end);
      const ranges = matchRanges(filter.include!, text);
      // The set and the line pattern agree; this only guards the invariant.
      if (ranges === undefined) continue;
      if (filter.exclude && testLine(filter.exclude, text)) continue;
      (found[index] ??= []).push(makeLine(source, batch, start, end, text, ranges));
    }
  });
}
