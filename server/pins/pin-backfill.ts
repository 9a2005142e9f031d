import type { FilterSpec } from '../../protocol/index.js';
import { compileFilter } from '../filter/filter-compiler.js';
import type { HistoryReader } from '../history/history-reader.js';
import type { EventTimeOf } from '../history/search/block-scan.js';
import { runHistogram } from '../history/search/histogram.js';
import type { TimeSlicer } from '../history/search/time-slicer.js';
import type { Awaitable } from '../storage/record-stores.js';
import type { PinRateBucket } from './pin-counter.js';

/**
 * The moment a pin began counting live, as history sees it: taken in the same event-loop turn as
 * the pin's subscription, so every batch before it is in history below `ends` and every batch
 * after it reaches the subscription (batches are stored and matched in one synchronous call).
 */
export interface PinSeam {
  /** Hub clock (ms). */
  at: number;
  /** HistoryStore.streamEnds() at that moment. */
  ends: ReadonlyMap<number, number>;
}

export interface PinHistory {
  reader: HistoryReader;
  streamEnds(): ReadonlyMap<number, number>;
  eventTimeOf?: EventTimeOf | undefined;
  slicer: TimeSlicer;
}

export interface PinBackfillDeps {
  history: PinHistory;
  counter: { readonly bucketMs: number; backfill(pinId: string, buckets: readonly PinRateBucket[]): Awaitable<void> };
  /** How far back pin counts are kept: the window filled. */
  retentionMs: number;
}

/**
 * Fills a new pin's buckets before its seam from history: the matches of the lines taken before
 * the seam, per bucket of line time, over the retention window. Lines taken after the seam are
 * counted live, so none is counted twice, even in the bucket holding the seam. Resolves with
 * where the counts now begin (the oldest line time history held in the window; the seam itself
 * when it held none); rejects with the signal's reason when aborted (the pin was deleted).
 */
export async function backfillPin(deps: PinBackfillDeps, pinId: string, spec: FilterSpec, seam: PinSeam, signal: AbortSignal): Promise<number> {
  const { history, counter } = deps;
  const step = counter.bucketMs;
  // Whole buckets only: the oldest kept bucket is the one holding `seam.at - retentionMs`.
  const from = Math.floor((seam.at - deps.retentionMs) / step) * step;
  const filter = compileFilter(spec);
  const histogram = await runHistogram(
    { filter, from, to: seam.at, step, before: seam.ends },
    { reader: history.reader, slicer: history.slicer, eventTimeOf: history.eventTimeOf, signal },
  );
  signal.throwIfAborted();
  await counter.backfill(pinId, histogram.buckets);
  let oldest = seam.at;
  for (const block of history.reader.blocks({ from, to: seam.at })) {
    if (block.firstPos < (seam.ends.get(block.source.num) ?? Number.NEGATIVE_INFINITY)) oldest = Math.min(oldest, block.minTime);
  }
  return Math.max(from, oldest);
}
