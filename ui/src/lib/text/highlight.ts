import type { MatchRange } from '../../../../protocol/index.js';
import type { AnsiSpan, AnsiStyle } from './ansi.js';

/**
 * Splits a log line into pieces that each have one ANSI style and are either inside one of the hub's
 * match ranges or outside all of them. The hub's ranges are UTF-16 offsets into the raw line; the UI
 * never re-runs the pattern, it only cuts where the hub said.
 */
export interface TextPiece {
  text: string;
  style: AnsiStyle | undefined;
  /** Index of the (normalized) match range this piece belongs to, or -1 outside every match. */
  mark: number;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** True when `offset` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, offset: number): boolean {
  return offset > 0 && offset < text.length && isHigh(text.charCodeAt(offset - 1)) && isLow(text.charCodeAt(offset));
}

/**
 * Makes hub ranges safe to cut with: clamps them to the line, widens any end that would split an
 * astral character (a surrogate pair), drops empty ranges, sorts them and merges overlapping ones.
 * Ranges that merely touch stay separate: they are distinct matches.
 */
export function normalizeRanges(text: string, ranges: readonly MatchRange[]): [number, number][] {
  const clean: [number, number][] = [];
  for (const [rawStart, rawEnd] of ranges) {
    let start = Math.min(Math.max(0, rawStart), text.length);
    let end = Math.min(Math.max(0, rawEnd), text.length);
    if (end <= start) continue;
    if (splitsPair(text, start)) start -= 1;
    if (splitsPair(text, end)) end += 1;
    clean.push([start, end]);
  }
  clean.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const range of clean) {
    const last = merged[merged.length - 1];
    if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * Cuts the visible spans of a line (from parseAnsi) at the match-range boundaries. Only raw offsets
 * [from, from + limit) are rendered: collapsed rows need not build a 64 KiB DOM text node, and may
 * skip the start of a line to show its first match. Cuts never split a surrogate pair.
 */
export function splitPieces(
  text: string,
  spans: readonly AnsiSpan[],
  ranges: readonly MatchRange[],
  limit = Number.POSITIVE_INFINITY,
  from = 0,
): TextPiece[] {
  const marks = normalizeRanges(text, ranges);
  let begin = Math.min(Math.max(0, from), text.length);
  if (splitsPair(text, begin)) begin -= 1;
  let stop = Math.min(text.length, begin + limit);
  if (splitsPair(text, stop)) stop += 1;
  const pieces: TextPiece[] = [];
  let markIndex = 0;
  for (const span of spans) {
    if (span.end <= begin) continue;
    let position = Math.max(span.start, begin);
    const spanEnd = Math.min(span.end, stop);
    while (position < spanEnd) {
      while (markIndex < marks.length && marks[markIndex]![1] <= position) markIndex += 1;
      const mark = marks[markIndex];
      let end: number;
      let inside = -1;
      if (mark && mark[0] <= position) {
        end = Math.min(mark[1], spanEnd);
        inside = markIndex;
      } else {
        end = mark ? Math.min(mark[0], spanEnd) : spanEnd;
      }
      pieces.push({ text: text.slice(position, end), style: span.style, mark: inside });
      position = end;
    }
    if (span.end >= stop) break;
  }
  return pieces;
}
