import type { MatchedLine } from '../../../protocol/index.js';
import { matchFilterInBatch } from '../../filter/batch-matcher.js';
import type { BatchRef, SourceRef } from '../../filter/batch-lines.js';
import type { CompiledFilter } from '../../filter/filter-compiler.js';
import type { HistorySource } from '../history-reader.js';
import type { LineKey } from './line-key.js';

/** The time a line states (lib/event-time), given its bytes body[start, end) and its batch's `ts`; undefined when it states none. */
export type EventTimeOf = (body: Buffer, start: number, end: number, ts: number) => number | undefined;

/** Inclusive bounds on line time; absent: unbounded. */
export interface TimeWindow {
  from?: number | undefined;
  to?: number | undefined;
}

/** A matching line and where it sorts. */
export interface Hit {
  key: LineKey;
  line: MatchedLine;
}

function inWindow(window: TimeWindow, time: number): boolean {
  return (window.from === undefined || time >= window.from) && (window.to === undefined || time <= window.to);
}

/**
 * Matches the lines of one source's batches, with the matcher the live path uses (same lines, same
 * ranges), and calls `visit` for each match whose time (`eventTs ?? ts`) is in `window`.
 */
export class BlockScanner {
  /** The source with an empty id prefix: a match's id is then its stream position. */
  private readonly bare: SourceRef;
  private readonly lines: MatchedLine[] = [];

  constructor(
    private readonly filter: CompiledFilter,
    private readonly source: HistorySource,
    private readonly window: TimeWindow,
    private readonly eventTimeOf: EventTimeOf | undefined,
  ) {
    this.bare = { host: source.host, file: source.file, idPrefix: '' };
  }

  scan(batch: BatchRef, visit: (hit: Hit) => void): void {
    // Without event times every line of a batch has the batch's time.
    if (this.eventTimeOf === undefined && !inWindow(this.window, batch.ts)) return;
    const lines = this.lines;
    lines.length = 0;
    matchFilterInBatch(this.filter, this.bare, batch, lines);
    for (const line of lines) {
      const pos = Number(line.id);
      let time = batch.ts;
      if (this.eventTimeOf !== undefined) {
        const start = pos - batch.firstPos;
        const eventTs = this.eventTimeOf(batch.body, start, batch.body.indexOf(0x0a, start), batch.ts);
        if (eventTs !== undefined) {
          line.eventTs = eventTs;
          time = eventTs;
        }
      }
      if (!inWindow(this.window, time)) continue;
      line.id = this.source.idPrefix + line.id;
      visit({ key: { time, num: this.source.num, pos }, line });
    }
    lines.length = 0;
  }
}
