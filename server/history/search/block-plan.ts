import type { CompiledFilter } from '../../filter/filter-compiler.js';
import type { BlockRef, HistoryReader } from '../history-reader.js';
import type { TimeWindow } from './block-scan.js';
import { compareInOrder, type LineKey, type SearchOrder } from './line-key.js';

/**
 * A key that sorts, in `order`, no later than every line of `block`: ascending, its first line
 * could be (minTime, num, firstPos); descending, every line is before (maxTime, num, endPos).
 */
export function blockBound(block: BlockRef, order: SearchOrder): LineKey {
  return order === 'asc'
    ? { time: block.minTime, num: block.source.num, pos: block.firstPos }
    : { time: block.maxTime, num: block.source.num, pos: block.endPos };
}

/**
 * The blocks a search reads, in the order it opens them: those whose time span meets the window,
 * whose source the filter's host and file globs select, and that can hold a line after the cursor;
 * sorted by their bound, so the next block to open bounds every block not opened yet.
 */
export function planBlocks(reader: HistoryReader, filter: CompiledFilter, window: TimeWindow, order: SearchOrder, cursor?: LineKey): BlockRef[] {
  const blocks = reader.blocks({ from: window.from, to: window.to }).filter((block) => {
    if (window.from !== undefined && block.maxTime < window.from) return false;
    if (window.to !== undefined && block.minTime > window.to) return false;
    if (cursor !== undefined && (order === 'asc' ? block.maxTime < cursor.time : block.minTime > cursor.time)) return false;
    return filter.selects(block.source.host, block.source.file);
  });
  return blocks.sort((a, b) => compareInOrder(order, blockBound(a, order), blockBound(b, order)));
}
