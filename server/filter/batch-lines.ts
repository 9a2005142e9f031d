import { eventText, type MatchRange, type MatchedLine } from '../../protocol/index.js';
import { eventTimeOf } from '../../lib/event-time/event-time.js';

/** What the matcher needs to know about a source (one file on one host). */
export interface SourceRef {
  readonly host: string;
  readonly file: string;
  /** `${hubId}-${sourceNum}-`: a line's id is this plus its position in the source's stream. */
  readonly idPrefix: string;
}

/** A batch of lines as stored: `\n`-ended lines in one Buffer. */
export interface BatchRef {
  readonly body: Buffer;
  /** Position of the body's first byte in the source's hub-side stream. */
  readonly firstPos: number;
  /** When the agent read the lines (ms since epoch). */
  readonly ts: number;
  /** Body offsets of lines cut at the maximum line length; undefined when none were. */
  readonly truncated: ReadonlySet<number> | undefined;
}

const NEWLINE = 0x0a;

/**
 * Calls `visit(start, end)` for every line of `body` containing at least one of `literals`, in
 * order. Each literal is searched with Buffer#indexOf (memchr-class speed), at most once over the
 * whole body; the caller checks each line with the pattern itself.
 */
export function forEachLiteralLine(body: Buffer, literals: readonly Buffer[], visit: (start: number, end: number) => void): void {
  // next[i]: where literal i occurs next at or after `from`; -1 when it does not any more.
  const next = literals.map((literal) => body.indexOf(literal));
  for (;;) {
    let at = -1;
    for (const position of next) if (position >= 0 && (at < 0 || position < at)) at = position;
    if (at < 0) return;
    const start = at === 0 ? 0 : body.lastIndexOf(NEWLINE, at - 1) + 1;
    const end = body.indexOf(NEWLINE, at);
    visit(start, end);
    const from = end + 1;
    if (from >= body.length) return;
    for (let i = 0; i < next.length; i += 1) {
      if (next[i]! >= 0 && next[i]! < from) next[i] = body.indexOf(literals[i]!, from);
    }
  }
}

/** Calls `visit(start, end)` for every line of the body. */
export function forEachLine(body: Buffer, visit: (start: number, end: number) => void): void {
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf(NEWLINE, start);
    visit(start, end);
    start = end + 1;
  }
}

/**
 * The delivered form of the line body[start, end) of `batch`, with the time it states when it states
 * one. `line` is its text as matched (an event's inner breaks as NUL); viewers get them as '\n',
 * one UTF-16 unit for one, so `ranges` stay where they were.
 */
export function makeLine(source: SourceRef, batch: BatchRef, start: number, end: number, line: string, ranges: MatchRange[]): MatchedLine {
  return {
    id: source.idPrefix + (batch.firstPos + start),
    host: source.host,
    file: source.file,
    ts: batch.ts,
    // Always present, as `truncated` below.
    eventTs: eventTimeOf(batch.body, start, end, batch.ts),
    line: eventText(line),
    // Always present (undefined is left out of JSON) so every line object has the same shape.
    truncated: batch.truncated?.has(start) ? true : undefined,
    ranges,
  };
}
