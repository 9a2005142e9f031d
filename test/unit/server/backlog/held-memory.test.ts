import { describe, expect, it } from 'vitest';
import { HeldMemory } from '../../../../server/backlog/held-memory.js';

describe('HeldMemory', () => {
  it('counts each underlying allocation once while any held view uses it', () => {
    const memory = new HeldMemory();
    const slab = Buffer.allocUnsafeSlow(8192);
    const first = slab.subarray(0, 2400);
    const second = slab.subarray(2400, 4800);
    expect(memory.hold(first)).toBe(8192);
    expect(memory.hold(second)).toBe(0);
    expect(memory.bytes).toBe(8192);
    expect(memory.release(first)).toBe(0);
    expect(memory.bytes).toBe(8192);
    expect(memory.release(second)).toBe(8192);
    expect(memory.bytes).toBe(0);
  });

  it('counts a small Buffer.from copy as the pool slab it lives in', () => {
    const memory = new HeldMemory();
    const copy = Buffer.from('a short line\n');
    memory.hold(copy);
    expect(memory.bytes).toBe(copy.buffer.byteLength);
    expect(memory.bytes).toBeGreaterThan(copy.length);
  });

  it('holds the same view twice when stored twice, and ignores a release of what it never held', () => {
    const memory = new HeldMemory();
    const own = Buffer.allocUnsafeSlow(100);
    memory.hold(own);
    memory.hold(own);
    expect(memory.release(Buffer.allocUnsafeSlow(10))).toBe(0);
    memory.release(own);
    expect(memory.bytes).toBe(100);
    memory.release(own);
    expect(memory.bytes).toBe(0);
  });
});
