import type { MatchRange, MatchedLine } from '../../protocol/index.js';
import { forEachCandidateLine } from '../../lib/candidate-lines.js';
import { forEachLine, forEachLiteralLine, makeLine, type BatchRef, type SourceRef } from './batch-lines.js';
import { scanMatches } from './batch-scan.js';
import { matchRanges, testLine } from './line-match.js';
import type { CompiledFilter, CompiledPattern } from './filter-compiler.js';

/**
 * True when `pattern` is searched over a whole batch body at once. A costly one is not: its wide
 * repetitions would run across lines and keep RE2's DFA far busier than any single line can.
 */
function searchesBatch(pattern: CompiledPattern): boolean {
  return pattern.batchSafe && !pattern.costly;
}

/** True when `pattern` matches the line body[start, end), tested on the bytes (no string made). */
function testLineBytes(pattern: CompiledPattern, body: Buffer, start: number, end: number): boolean {
  pattern.line.lastIndex = 0;
  return pattern.line.test(body.subarray(start, end));
}

/** Body offsets of the lines `pattern` matches on their own, in order. */
function matchingLineStarts(pattern: CompiledPattern, body: Buffer): number[] {
  const starts: number[] = [];
  const check = (start: number, end: number) => {
    if (testLine(pattern, body.toString('utf8', start, end))) starts.push(start);
  };
  if (pattern.literals) forEachLiteralLine(body, pattern.literals, check);
  else if (searchesBatch(pattern)) forEachCandidateLine(pattern.batch, body, check);
  else
    forEachLine(body, (start, end) => {
      if (testLineBytes(pattern, body, start, end)) starts.push(start);
    });
  return starts;
}

/** Appends to `out` the lines of `batch` that `filter` matches, in order. Ignores host/file globs. */
export function matchFilterInBatch(filter: CompiledFilter, source: SourceRef, batch: BatchRef, out: MatchedLine[]): void {
  const { include, exclude } = filter;
  const body = batch.body;
  if (include === undefined) {
    // Every line, minus the excluded ones found by a batch search of the exclude pattern.
    const excluded = exclude ? matchingLineStarts(exclude, body) : [];
    let next = 0;
    forEachLine(body, (start, end) => {
      if (excluded[next] === start) {
        next += 1;
        return;
      }
      out.push(makeLine(source, batch, start, end, body.toString('utf8', start, end), []));
    });
    return;
  }
  const accept = (start: number, end: number, text: string, ranges: MatchRange[]) => {
    if (exclude && testLine(exclude, text)) return;
    out.push(makeLine(source, batch, start, end, text, ranges));
  };
  if (include.literals) {
    forEachLiteralLine(body, include.literals, (start, end) => {
      const text = body.toString('utf8', start, end);
      const ranges = matchRanges(include, text);
      if (ranges !== undefined) accept(start, end, text, ranges);
    });
    return;
  }
  if (searchesBatch(include)) {
    scanMatches(include, body, accept);
    return;
  }
  forEachLine(body, (start, end) => {
    if (include.costly && !testLineBytes(include, body, start, end)) return;
    const text = body.toString('utf8', start, end);
    const ranges = matchRanges(include, text);
    if (ranges !== undefined) accept(start, end, text, ranges);
  });
}
