import type { BatchRef } from '../../server/filter/batch-lines.js';
import { CorruptBlockError, type BlockQuery, type BlockRef, type HistoryReader, type HistorySource } from '../../server/history/history-reader.js';
import type { EventTimeOf } from '../../server/history/search/block-scan.js';

/** One stored line of a MemoryHistory, as the reference search sees it. */
export interface StoredLine {
  source: HistorySource;
  pos: number;
  /** Line time: its event time when `eventTimeOf` gives one, else its batch's ts. */
  time: number;
  ts: number;
  text: string;
}

interface MemoryBlock extends BlockRef {
  batches: BatchRef[];
}

/**
 * A HistoryReader over real BatchRef buffers held in memory: each `append` is one batch, and
 * `seal` closes a source's current block (the next batch opens a new one). Blocks listed in
 * `corrupt` throw CorruptBlockError; `reads` counts read calls.
 */
export class MemoryHistory implements HistoryReader {
  readonly lines: StoredLine[] = [];
  readonly corrupt = new Set<BlockRef>();
  reads = 0;
  private readonly sealed: MemoryBlock[] = [];
  private readonly open = new Map<number, MemoryBlock>();
  private readonly nextPos = new Map<number, number>();
  private readonly sources = new Map<string, HistorySource>();

  constructor(private readonly eventTimeOf?: EventTimeOf) {}

  source(host: string, file: string): HistorySource {
    const key = `${host}\u0000${file}`;
    let source = this.sources.get(key);
    if (source === undefined) {
      const num = this.sources.size + 1;
      source = { host, file, num, idPrefix: `hub-${num}-` };
      this.sources.set(key, source);
    }
    return source;
  }

  /** Appends one batch of `texts` read at `ts` to `source`'s open block. */
  append(source: HistorySource, ts: number, texts: readonly string[]): void {
    const firstPos = this.nextPos.get(source.num) ?? 0;
    const body = Buffer.from(texts.map((text) => `${text}\n`).join(''));
    const batch: BatchRef = { body, firstPos, ts, truncated: undefined };
    let offset = 0;
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    for (const text of texts) {
      const end = offset + Buffer.byteLength(text);
      const time = this.eventTimeOf?.(body, offset, end, ts) ?? ts;
      this.lines.push({ source, pos: firstPos + offset, time, ts, text });
      minTime = Math.min(minTime, time);
      maxTime = Math.max(maxTime, time);
      offset = end + 1;
    }
    this.nextPos.set(source.num, firstPos + body.length);
    const block = this.open.get(source.num);
    if (block === undefined) {
      this.open.set(source.num, { source, minTime, maxTime, firstPos, endPos: firstPos + body.length, rawBytes: body.length, batches: [batch] });
    } else {
      this.open.set(source.num, {
        ...block,
        minTime: Math.min(block.minTime, minTime),
        maxTime: Math.max(block.maxTime, maxTime),
        endPos: firstPos + body.length,
        rawBytes: block.rawBytes + body.length,
        batches: [...block.batches, batch],
      });
    }
  }

  seal(source: HistorySource): void {
    const block = this.open.get(source.num);
    if (block === undefined) return;
    this.sealed.push(block);
    this.open.delete(source.num);
  }

  /** Every block, sealed and open. */
  allBlocks(): BlockRef[] {
    return [...this.sealed, ...this.open.values()];
  }

  blocks(query: BlockQuery): BlockRef[] {
    return this.allBlocks().filter((block) => (query.from === undefined || block.maxTime >= query.from) && (query.to === undefined || block.minTime <= query.to));
  }

  read(block: BlockRef): readonly BatchRef[] {
    this.reads += 1;
    if (this.corrupt.has(block)) throw new CorruptBlockError('checksum mismatch');
    return (block as MemoryBlock).batches;
  }
}
