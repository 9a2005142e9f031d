import type { SearchDoneRecord, SearchMatchRecord, SearchProgressRecord, SearchRecord } from '../../../protocol/index.js';
import type { CompiledFilter } from '../../filter/filter-compiler.js';
import type { BatchRef } from '../../filter/batch-lines.js';
import { CorruptBlockError, type BlockRef, type HistoryReader } from '../history-reader.js';
import { blockBound, planBlocks } from './block-plan.js';
import { BlockScanner, type EventTimeOf, type Hit, type TimeWindow } from './block-scan.js';
import { compareInOrder, encodeCursor, type LineKey, type SearchOrder } from './line-key.js';
import { MergeBuffer } from './merge-buffer.js';
import type { TimeSlicer } from './time-slicer.js';

export interface SearchRequest {
  /** Compiled like a live filter; its host and file globs select the sources. */
  filter: CompiledFilter;
  window: TimeWindow;
  order: SearchOrder;
  /** Most matches in this page. */
  limit: number;
  /** The last line of the previous page: this page starts right after it. */
  cursor?: LineKey | undefined;
}

export interface HistoryScanContext {
  reader: HistoryReader;
  slicer: TimeSlicer;
  eventTimeOf?: EventTimeOf | undefined;
  /** Aborting it stops the scan at its next checkpoint (it rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** Least time between two progress records (ms, on the slicer's clock). */
  progressIntervalMs?: number;
}

const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/** A block's batches, or undefined when it is corrupt (skipped and counted). */
export function readBlock(reader: HistoryReader, block: BlockRef): readonly BatchRef[] | undefined {
  try {
    return reader.read(block);
  } catch (error) {
    if (error instanceof CorruptBlockError) return undefined;
    throw error;
  }
}

/**
 * Searches history: yields `match` records in time order across sources (ascending or
 * descending), `progress` records now and then, and one `done` record last.
 *
 * Blocks are opened in the order of their bound (block-plan.ts); a match is emitted once no block
 * left to open can hold a line sorting before it, so memory holds at most `limit` matches plus
 * one block's. Work is cut into slices of the event loop (TimeSlicer).
 */
export async function* runSearch(request: SearchRequest, context: HistoryScanContext): AsyncGenerator<SearchRecord> {
  const { filter, window, order, limit, cursor } = request;
  const { reader, eventTimeOf } = context;
  const slice = context.slicer.start(context.signal);
  const clock = context.slicer.clock;
  const interval = context.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const blocks = planBlocks(reader, filter, window, order, cursor);
  const totalBytes = blocks.reduce((sum, block) => sum + block.rawBytes, 0);
  let scannedBytes = 0;
  let lastProgress = clock();
  const progress = (): SearchProgressRecord => ({ type: 'progress', scannedBytes, totalBytes });
  yield progress();

  const buffer = new MergeBuffer(order);
  let emitted = 0;
  let last: LineKey | undefined;
  let corruptBlocks = 0;
  let opened = 0;
  while (opened < blocks.length && emitted < limit) {
    await slice.checkpoint();
    const block = blocks[opened]!;
    opened += 1;
    const batches = readBlock(reader, block);
    if (batches === undefined) corruptBlocks += 1;
    else {
      const scanner = new BlockScanner(filter, block.source, window, eventTimeOf);
      const found: Hit[] = [];
      const keep = (hit: Hit) => {
        if (cursor !== undefined && compareInOrder(order, hit.key, cursor) <= 0) return;
        if (buffer.wouldKeep(hit.key, limit - emitted)) found.push(hit);
      };
      for (let index = 0; index < batches.length; index += 1) {
        if (index > 0) await slice.checkpoint();
        scanner.scan(batches[index]!, keep);
      }
      buffer.add(found, limit - emitted);
    }
    scannedBytes += block.rawBytes;
    const next = blocks[opened];
    for (const hit of buffer.takeBefore(next && blockBound(next, order))) {
      emitted += 1;
      last = hit.key;
      const match: SearchMatchRecord = { type: 'match', line: hit.line };
      yield match;
    }
    if (clock() - lastProgress >= interval) {
      lastProgress = clock();
      yield progress();
    }
  }
  yield progress();
  const more = emitted >= limit && (buffer.size > 0 || buffer.overflowed || opened < blocks.length);
  const done: SearchDoneRecord = { type: 'done', count: emitted, partial: corruptBlocks > 0 };
  if (more && last !== undefined) done.cursor = encodeCursor(last);
  if (corruptBlocks > 0) done.corruptBlocks = corruptBlocks;
  yield done;
}
