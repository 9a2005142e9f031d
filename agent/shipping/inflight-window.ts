/** One batch sent and not yet acknowledged. */
export interface SentBatch<T> {
  batch: number;
  bodyBytes: number;
  /** Whatever the sender needs back on acknowledgement (which file, which generation, where it ended). */
  item: T;
}

/**
 * Most unacknowledged batches on one connection, whatever their size: a flood of one-line batches
 * must not grow this queue without bound either.
 */
export const MAX_INFLIGHT_BATCHES = 4096;

/**
 * The batches sent on the current connection and not yet acknowledged, in order. The hub acknowledges
 * cumulatively, so an ack for batch N settles every batch up to N. Only batch bodies count toward the
 * byte bound: that is the memory a slow hub makes the agent hold (headers are small).
 */
export class InflightWindow<T> {
  private queue: SentBatch<T>[] = [];
  private head = 0;
  private bytes = 0;
  private lastBatch = 0;

  constructor(private readonly maxBytes: number) {}

  /** Body bytes sent and not yet acknowledged. */
  get inflightBytes(): number {
    return this.bytes;
  }

  get inflightBatches(): number {
    return this.queue.length - this.head;
  }

  /** Room for another batch; `roomBytes` says how big its body may be. */
  hasRoom(): boolean {
    return this.bytes < this.maxBytes && this.inflightBatches < MAX_INFLIGHT_BATCHES;
  }

  get roomBytes(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  /** The number the next batch is sent under: from 1 on each connection. */
  nextBatchNumber(): number {
    return this.lastBatch + 1;
  }

  add(batch: number, bodyBytes: number, item: T): void {
    if (batch !== this.lastBatch + 1) throw new Error(`batch ${batch} sent out of order after ${this.lastBatch}`);
    this.lastBatch = batch;
    this.queue.push({ batch, bodyBytes, item });
    this.bytes += bodyBytes;
  }

  /**
   * Settles every batch up to and including `batch`, oldest first. An ack for a batch never sent
   * is a hub bug; it settles what was sent and the caller is told through `beyondSent`.
   */
  ack(batch: number): { settled: SentBatch<T>[]; beyondSent: boolean } {
    const settled: SentBatch<T>[] = [];
    while (this.head < this.queue.length && (this.queue[this.head] as SentBatch<T>).batch <= batch) {
      const sent = this.queue[this.head] as SentBatch<T>;
      this.head += 1;
      this.bytes -= sent.bodyBytes;
      settled.push(sent);
    }
    // Compact now and then rather than shift() per ack, which is O(n) each time.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return { settled, beyondSent: batch > this.lastBatch };
  }

  /** A new connection: nothing is in flight and batches count from 1 again. */
  reset(): void {
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
    this.lastBatch = 0;
  }
}
