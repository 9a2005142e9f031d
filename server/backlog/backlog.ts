import type { BatchRef, SourceRef } from '../filter/batch-lines.js';
import { HeldMemory } from './held-memory.js';

/** One stored batch. `body` is owned by the backlog (never a view into a socket buffer). */
export interface StoredBatch extends BatchRef {
  /** Hub-wide arrival number: orders batches of different sources as the hub received them. */
  readonly seq: number;
}

export interface BacklogLimits {
  /** Bytes of line bodies kept per source. */
  bytesPerSource: number;
  /**
   * Memory all sources' batches may keep allocated together: the distinct allocations their bodies
   * live in (HeldMemory), not the sum of body lengths, so the bound holds for the hub's RSS.
   */
  totalBytes: number;
}

/** A position resolved to a stored batch and an offset in its body. */
export interface LineLocation {
  ring: SourceRing;
  index: number;
  offset: number;
}

const NEWLINE = 0x0a;

/** A copy outside Node's shared buffer pool: it keeps no slab alive but its own bytes. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Recent batches of one source, oldest first, contiguous in the source's stream positions. */
export class SourceRing {
  /** Live batches are `batches[head..]`; the array is compacted when half of it is dead. */
  batches: StoredBatch[] = [];
  head = 0;
  /** Bytes of line bodies (the per-source bound and the fair share are about history, not memory). */
  bytes = 0;

  constructor(
    readonly source: SourceRef,
    /** Shared by all rings of a backlog: what their bodies keep allocated. */
    private readonly memory: HeldMemory,
  ) {}

  get length(): number {
    return this.batches.length - this.head;
  }

  at(index: number): StoredBatch | undefined {
    return this.batches[this.head + index];
  }

  push(batch: StoredBatch): void {
    this.batches.push(batch);
    this.bytes += batch.body.length;
    this.memory.hold(batch.body);
  }

  shift(): StoredBatch | undefined {
    const batch = this.batches[this.head];
    if (!batch) return undefined;
    this.batches[this.head] = undefined as unknown as StoredBatch;
    this.head += 1;
    this.bytes -= batch.body.length;
    this.memory.release(batch.body);
    if (this.head > 32 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Keeps only the last `keep` bytes of the oldest batch, cut at a line boundary. */
  cutOldest(keep: number): void {
    const batch = this.batches[this.head];
    if (!batch) return;
    const from = batch.body.indexOf(NEWLINE, batch.body.length - keep - 1) + 1;
    if (from <= 0 || from >= batch.body.length) {
      this.shift();
      return;
    }
    const truncated = batch.truncated
      ? new Set([...batch.truncated].filter((offset) => offset >= from).map((offset) => offset - from))
      : undefined;
    const cut: StoredBatch = {
      // A copy with an allocation of its own, so neither the cut-off front nor a pool slab is kept.
      body: ownCopy(batch.body.subarray(from)),
      firstPos: batch.firstPos + from,
      ts: batch.ts,
      truncated: truncated && truncated.size > 0 ? truncated : undefined,
      seq: batch.seq,
    };
    this.bytes -= batch.body.length - cut.body.length;
    this.memory.release(batch.body);
    this.memory.hold(cut.body);
    this.batches[this.head] = cut;
  }

  /** Lets go of every batch (the ring is being dropped). */
  releaseAll(): void {
    for (let i = this.head; i < this.batches.length; i += 1) this.memory.release(this.batches[i]!.body);
    this.batches = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** The batch holding stream position `pos` at the start of a line, if still kept. */
  locate(pos: number): LineLocation | undefined {
    let low = this.head;
    let high = this.batches.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const batch = this.batches[mid]!;
      if (pos < batch.firstPos) high = mid - 1;
      else if (pos >= batch.firstPos + batch.body.length) low = mid + 1;
      else {
        const offset = pos - batch.firstPos;
        if (offset > 0 && batch.body[offset - 1] !== NEWLINE) return undefined;
        return { ring: this, index: mid - this.head, offset };
      }
    }
    return undefined;
  }
}

/**
 * The hub's memory of recent lines: a ring of batches per source, bounded per source (in body
 * bytes) and in total (in the memory the bodies really keep allocated, see HeldMemory). When the
 * total is over its bound, sources holding more than the average lose their oldest batches first,
 * so one chatty file cannot push every quiet file's history out.
 */
export class Backlog {
  private readonly rings = new Map<SourceRef, SourceRing>();
  /** The rings again, as an array for the round-robin eviction cursor. */
  private readonly order: SourceRing[] = [];
  private cursor = 0;
  /** Sum of the rings' body bytes. */
  private body = 0;
  private readonly memory = new HeldMemory();

  constructor(private readonly limits: BacklogLimits) {}

  /** Memory the stored bodies keep allocated (what `limits.totalBytes` bounds). */
  get totalBytes(): number {
    return this.memory.bytes;
  }

  /** Bytes of the stored line bodies themselves. */
  get bodyBytes(): number {
    return this.body;
  }

  ring(source: SourceRef): SourceRing | undefined {
    return this.rings.get(source);
  }

  append(source: SourceRef, batch: StoredBatch): void {
    if (batch.body.length === 0) return;
    let ring = this.rings.get(source);
    if (!ring) {
      ring = new SourceRing(source, this.memory);
      this.rings.set(source, ring);
      this.order.push(ring);
    }
    ring.push(batch);
    this.body += batch.body.length;
    this.trimRing(ring, this.limits.bytesPerSource);
    this.trimTotal();
  }

  /** Drops a source's whole history (the source was forgotten). */
  forget(source: SourceRef): void {
    const ring = this.rings.get(source);
    if (!ring) return;
    this.rings.delete(source);
    this.body -= ring.bytes;
    ring.releaseAll();
    const index = this.order.indexOf(ring);
    const last = this.order.pop()!;
    if (last !== ring) this.order[index] = last;
  }

  private trimRing(ring: SourceRing, limit: number): void {
    while (ring.bytes > limit) {
      const before = ring.bytes;
      // Whole batches go first (no copying); only a single batch larger than the bound is cut.
      if (ring.length > 1) ring.shift();
      else ring.cutOldest(limit);
      this.body -= before - ring.bytes;
    }
  }

  private trimTotal(): void {
    while (this.memory.bytes > this.limits.totalBytes && this.body > 0) {
      // Some ring holds at least the average whenever any body bytes are kept, and it is not empty.
      const average = this.body / this.order.length;
      let ring = this.order[this.cursor % this.order.length]!;
      for (let steps = 0; ring.bytes < average && steps < this.order.length; steps += 1) {
        this.cursor = (this.cursor + 1) % this.order.length;
        ring = this.order[this.cursor]!;
      }
      const before = ring.bytes;
      ring.shift();
      this.body -= before - ring.bytes;
      this.cursor = (this.cursor + 1) % this.order.length;
    }
  }
}
