import type { BatchRef, SourceRef } from '../filter/batch-lines.js';

/** A source (one file on one host) as history knows it; `num` is stable across hub restarts. */
export interface HistorySource extends SourceRef {
  readonly num: number;
}

/**
 * One block of history: a run of one source's lines, sealed in a segment file or still open in
 * memory. Times are each line's time (its event time when it states one, else when it was read).
 */
export interface BlockRef {
  readonly source: HistorySource;
  /** Earliest and latest line time in the block (ms since epoch). */
  readonly minTime: number;
  readonly maxTime: number;
  /** Stream positions: the first line's, and one past the last line's end. */
  readonly firstPos: number;
  readonly endPos: number;
  /** Uncompressed bytes of lines: what progress counts. */
  readonly rawBytes: number;
}

export interface BlockQuery {
  /** Inclusive bounds on line time; absent: unbounded. */
  from?: number | undefined;
  to?: number | undefined;
}

/** Thrown by `read` for a block whose bytes fail their checksum or do not decode. */
export class CorruptBlockError extends Error {
  override readonly name = 'CorruptBlockError';
}

/** What search reads history through; the history store implements it. */
export interface HistoryReader {
  /** Blocks whose time span meets [from, to], sealed and open, in no particular order. */
  blocks(query: BlockQuery): BlockRef[];
  /** The block's lines as the batches they arrived in, oldest first. Throws CorruptBlockError. */
  read(block: BlockRef): readonly BatchRef[];
}
