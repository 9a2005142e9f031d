import type { Hit } from './block-scan.js';
import { compareInOrder, type LineKey, type SearchOrder } from './line-key.js';

/**
 * Matches read but not yet emitted, in output order, holding at most the number still wanted:
 * a match that sorts after that many others can never be emitted in this page.
 */
export class MergeBuffer {
  private hits: Hit[] = [];
  private head = 0;
  /** True once a match was turned away for want of room: the page may not hold every match. */
  overflowed = false;

  constructor(private readonly order: SearchOrder) {}

  get size(): number {
    return this.hits.length - this.head;
  }

  /** False when `key` sorts after `capacity` matches already held: no use keeping it. */
  wouldKeep(key: LineKey, capacity: number): boolean {
    if (this.size < capacity) return true;
    const keep = capacity > 0 && compareInOrder(this.order, key, this.hits[this.hits.length - 1]!.key) < 0;
    if (!keep) this.overflowed = true;
    return keep;
  }

  /** Adds one block's matches, then keeps the first `capacity` of all. */
  add(found: Hit[], capacity: number): void {
    if (found.length === 0) return;
    const compare = (a: Hit, b: Hit) => compareInOrder(this.order, a.key, b.key);
    found.sort(compare);
    const held = this.hits;
    const merged: Hit[] = [];
    let i = this.head;
    let j = 0;
    while (merged.length < capacity && (i < held.length || j < found.length)) {
      if (j >= found.length || (i < held.length && compare(held[i]!, found[j]!) <= 0)) merged.push(held[i++]!);
      else merged.push(found[j++]!);
    }
    if (i < held.length || j < found.length) this.overflowed = true;
    this.hits = merged;
    this.head = 0;
  }

  /** Removes and returns the matches that sort before `bound` (every match when it is undefined). */
  takeBefore(bound: LineKey | undefined): Hit[] {
    let end = this.head;
    while (end < this.hits.length && (bound === undefined || compareInOrder(this.order, this.hits[end]!.key, bound) < 0)) end += 1;
    const taken = this.hits.slice(this.head, end);
    this.head = end;
    if (this.head === this.hits.length) {
      this.hits = [];
      this.head = 0;
    }
    return taken;
  }
}
