/**
 * A fixed-capacity FIFO addressed by absolute sequence numbers: the first item ever pushed is seq 0,
 * the next seq 1, and so on, even after older items were evicted. Views keep seqs instead of indexes
 * so that trimming the oldest items never changes what a seq refers to.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private first = 0;
  private size = 0;
  private firstSeq = 0;
  /** Items evicted because the buffer was full, since construction or the last clear(). */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Appends `item`; when full, evicts and returns the oldest item. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.size === this.capacity) {
      evicted = this.slots[this.first];
      this.slots[this.first] = undefined;
      this.first = (this.first + 1) % this.capacity;
      this.firstSeq += 1;
      this.size -= 1;
      this.evicted += 1;
    }
    this.slots[(this.first + this.size) % this.capacity] = item;
    this.size += 1;
    return evicted;
  }

  /**
   * Puts `item` before the oldest one, with the seq just below it (seqs may go negative). Returns
   * false, adding nothing, when the buffer is full: older items never evict newer ones.
   */
  unshift(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.first = (this.first - 1 + this.capacity) % this.capacity;
    this.slots[this.first] = item;
    this.firstSeq -= 1;
    this.size += 1;
    return true;
  }

  /** The item with sequence number `seq`, or undefined if it was evicted or not pushed yet. */
  at(seq: number): T | undefined {
    const offset = seq - this.firstSeq;
    if (offset < 0 || offset >= this.size) return undefined;
    return this.slots[(this.first + offset) % this.capacity];
  }

  /** Seq of the oldest item held. */
  get startSeq(): number {
    return this.firstSeq;
  }

  /** Seq the next pushed item will get. */
  get endSeq(): number {
    return this.firstSeq + this.size;
  }

  get length(): number {
    return this.size;
  }

  /** Drops every item. Seqs keep counting up, so a seq is never reused for a different item. */
  clear(): void {
    this.slots.fill(undefined);
    this.firstSeq += this.size;
    this.first = 0;
    this.size = 0;
    this.evicted = 0;
  }
}
