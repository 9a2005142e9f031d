import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../ui/src/lib/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps at most `capacity` items, evicting the oldest and counting them', () => {
    const ring = new RingBuffer<string>(3);
    expect(ring.push('a')).toBeUndefined();
    ring.push('b');
    ring.push('c');
    expect(ring.push('d')).toBe('a');
    expect(ring.push('e')).toBe('b');
    expect(ring.length).toBe(3);
    expect(ring.evicted).toBe(2);
    expect([ring.startSeq, ring.endSeq]).toEqual([2, 5]);
    expect([2, 3, 4].map((seq) => ring.at(seq))).toEqual(['c', 'd', 'e']);
  });

  it('addresses items by absolute seq, which never points at a different item after eviction', () => {
    const ring = new RingBuffer<number>(2);
    for (let i = 0; i < 10; i++) ring.push(i * 10);
    expect(ring.at(7)).toBeUndefined();
    expect(ring.at(8)).toBe(80);
    expect(ring.at(9)).toBe(90);
    expect(ring.at(10)).toBeUndefined();
  });

  it('clear() empties it, resets the eviction count, and keeps seqs increasing', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.push('b');
    ring.push('c');
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.evicted).toBe(0);
    expect(ring.at(2)).toBeUndefined();
    ring.push('x');
    expect(ring.startSeq).toBe(3);
    expect(ring.at(3)).toBe('x');
  });

  it('rejects a capacity that cannot hold anything', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });

  it('puts items before the oldest with lower seqs, wrapping around, and refuses when full', () => {
    const ring = new RingBuffer<string>(4);
    ring.push('c');
    ring.push('d');
    expect(ring.unshift('b')).toBe(true);
    expect(ring.unshift('a')).toBe(true);
    expect(ring.startSeq).toBe(-2);
    expect([-2, -1, 0, 1].map((seq) => ring.at(seq))).toEqual(['a', 'b', 'c', 'd']);
    expect(ring.unshift('z')).toBe(false);
    expect(ring.at(-3)).toBeUndefined();
    // Pushing past the bound still evicts the oldest, the unshifted ones first.
    expect(ring.push('e')).toBe('a');
    expect(ring.startSeq).toBe(-1);
  });
});
