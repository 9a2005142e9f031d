import type { Histogram } from '../../../protocol/index.js';
import type { CompiledFilter } from '../../filter/filter-compiler.js';
import { planBlocks } from './block-plan.js';
import { BlockScanner } from './block-scan.js';
import { readBlock, type HistoryScanContext } from './search-executor.js';

export interface HistogramRequest {
  filter: CompiledFilter;
  /** Inclusive bounds of the time covered (ms since epoch). */
  from: number;
  to: number;
  /** Bucket width (ms). */
  step: number;
  /**
   * Counts only lines taken before these stream ends (source num -> position, from
   * HistoryStore.streamEnds); sources not listed count nothing. Absent: every line.
   */
  before?: ReadonlyMap<number, number> | undefined;
}

/**
 * How many buckets cover [from, to]: they start on multiples of `step` (so graphs of overlapping
 * ranges line up), the first holds `from`, the last `to`.
 */
export function bucketCount(from: number, to: number, step: number): number {
  return Math.floor(to / step) - Math.floor(from / step) + 1;
}

/** Counts the matching lines of history per time bucket over [from, to], with the scan search uses. */
export async function runHistogram(request: HistogramRequest, context: HistoryScanContext): Promise<Histogram> {
  const { filter, from, to, step, before } = request;
  const count = bucketCount(from, to, step);
  const first = Math.floor(from / step) * step;
  const counts = new Array<number>(count).fill(0);
  const window = { from, to };
  const slice = context.slicer.start(context.signal);
  let corruptBlocks = 0;
  for (const block of planBlocks(context.reader, filter, window, 'asc')) {
    const end = before === undefined ? Number.POSITIVE_INFINITY : (before.get(block.source.num) ?? Number.NEGATIVE_INFINITY);
    if (block.firstPos >= end) continue;
    await slice.checkpoint();
    const batches = readBlock(context.reader, block);
    if (batches === undefined) {
      corruptBlocks += 1;
      continue;
    }
    const scanner = new BlockScanner(filter, block.source, window, context.eventTimeOf);
    const tally = ({ key }: { key: { time: number; pos: number } }) => {
      if (key.pos >= end) return;
      counts[Math.floor((key.time - first) / step)]! += 1;
    };
    for (let index = 0; index < batches.length; index += 1) {
      if (index > 0) await slice.checkpoint();
      scanner.scan(batches[index]!, tally);
    }
  }
  return { from, to, step, buckets: counts.map((n, i) => ({ ts: first + i * step, count: n })), partial: corruptBlocks > 0 };
}
