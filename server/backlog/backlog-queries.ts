import { eventText, type LogLine, type MatchedLine } from '../../protocol/index.js';
import { eventTimeOf } from '../../lib/event-time/event-time.js';
import { matchFilterInBatch } from '../filter/batch-matcher.js';
import type { SourceRef } from '../filter/batch-lines.js';
import type { Backlog, SourceRing, StoredBatch } from './backlog.js';
import type { CompiledFilter } from '../filter/filter-compiler.js';
import { takeNewest } from './take-newest.js';

const NEWLINE = 0x0a;

function logLine(source: SourceRef, batch: StoredBatch, start: number, end: number): LogLine {
  return {
    id: source.idPrefix + (batch.firstPos + start),
    host: source.host,
    file: source.file,
    ts: batch.ts,
    eventTs: eventTimeOf(batch.body, start, end, batch.ts),
    line: eventText(batch.body.toString('utf8', start, end)),
    truncated: batch.truncated?.has(start) ? true : undefined,
  };
}

/**
 * The line at stream position `pos` of a ring with up to `before` lines ahead of it and `after`
 * lines behind it, crossing batch boundaries; undefined when the line is no longer kept.
 */
export function contextLines(ring: SourceRing, pos: number, before: number, after: number): LogLine[] | undefined {
  const location = ring.locate(pos);
  if (!location) return undefined;
  const source = ring.source;

  const earlier: LogLine[] = [];
  let index = location.index;
  let offset = location.offset;
  while (earlier.length < before) {
    if (offset === 0) {
      index -= 1;
      if (index < 0) break;
      offset = ring.at(index)!.body.length;
    }
    const batch = ring.at(index)!;
    const end = offset - 1; // the '\n' that ends the previous line
    const start = end === 0 ? 0 : batch.body.lastIndexOf(NEWLINE, end - 1) + 1;
    earlier.push(logLine(source, batch, start, end));
    offset = start;
  }
  earlier.reverse();

  index = location.index;
  offset = location.offset;
  const wanted = after + 1;
  const later: LogLine[] = [];
  while (later.length < wanted) {
    const batch = ring.at(index);
    if (!batch) break;
    if (offset >= batch.body.length) {
      index += 1;
      offset = 0;
      continue;
    }
    const end = batch.body.indexOf(NEWLINE, offset);
    later.push(logLine(source, batch, offset, end));
    offset = end + 1;
  }
  return earlier.concat(later);
}

interface Sequenced {
  line: MatchedLine;
  seq: number;
}

/** Up to `limit` most recent lines of one ring that `filter` matches, oldest first, with their batch's arrival number. */
function newestMatches(ring: SourceRing, filter: CompiledFilter, limit: number): Sequenced[] {
  const chunks: Sequenced[][] = [];
  let count = 0;
  for (let index = ring.length - 1; index >= 0 && count < limit; index -= 1) {
    const batch = ring.at(index)!;
    const lines: MatchedLine[] = [];
    matchFilterInBatch(filter, ring.source, batch, lines);
    if (lines.length > 0) {
      chunks.push(lines.map((line) => ({ line, seq: batch.seq })));
      count += lines.length;
    }
  }
  const all = chunks.reverse().flat();
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/**
 * The last `limit` lines `filter` matches across every source it selects, oldest first, in the
 * order the hub received them (agents' clocks may disagree; the hub's arrival order does not).
 * Runs synchronously so that no live line can be queued between the backlog and the live stream.
 */
export function replayBacklog(
  backlog: Backlog,
  sources: Iterable<SourceRef>,
  filter: CompiledFilter,
  limit: number,
): MatchedLine[] {
  if (limit <= 0) return [];
  const perSource: Sequenced[][] = [];
  for (const source of sources) {
    if (!filter.selects(source.host, source.file)) continue;
    const ring = backlog.ring(source);
    if (!ring) continue;
    const lines = newestMatches(ring, filter, limit);
    if (lines.length > 0) perSource.push(lines);
  }
  return takeNewest(perSource, limit, (item) => item.seq).map((item) => item.line);
}
