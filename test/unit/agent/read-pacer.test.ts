import { describe, expect, it } from 'vitest';
import { ReadPacer } from '../../../agent/read-pacer.js';

describe('ReadPacer', () => {
  it('lets a file that was not read recently be read at once', () => {
    const pacer = new ReadPacer(250, 0);
    expect(pacer.delayAfterChange({}, Number.NEGATIVE_INFINITY, 5)).toBe(0);
    const file = {};
    expect(pacer.delayAfterChange(file, 0, 100)).toBe(0);
  });

  it('spaces the reads of one busy file by 1 / readsPerSecond', () => {
    const pacer = new ReadPacer(250, 0);
    const file = {};
    // Read at 100; changed 1 ms later: the next read is due 4 ms after the last one.
    expect(pacer.delayAfterChange(file, 100, 101)).toBe(3);
  });

  it('spaces each file by busyFiles / readsPerSecond when many are busy, on a common grid', () => {
    const pacer = new ReadPacer(250, 0);
    const files = Array.from({ length: 20 }, () => ({}));
    for (const file of files) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 10);
    // 20 busy files at 250 reads/s: each is read every 80 ms, due times rounded up to multiples of 80.
    const delays = files.map((file, index) => pacer.delayAfterChange(file, 10 + index, 11 + index));
    for (const [index, delay] of delays.entries()) {
      const due = 11 + index + delay;
      expect(due).toBeGreaterThanOrEqual(10 + index + 80);
      expect(due).toBeLessThan(10 + index + 160);
      expect(due % 80).toBe(0);
    }
    // Read together: files last read within one spacing of each other are all due at once.
    expect(new Set(delays.map((delay, index) => 11 + index + delay))).toEqual(new Set([160]));
  });

  it('keeps the wider spacing for a whole window after files went quiet, then relaxes it', () => {
    const pacer = new ReadPacer(100, 0);
    const busy = Array.from({ length: 10 }, () => ({}));
    for (const file of busy) pacer.delayAfterChange(file, Number.NEGATIVE_INFINITY, 500);
    const one = busy[0] as object;
    // Next window: only one file changes, but the previous window had ten.
    expect(pacer.delayAfterChange(one, 1_000, 1_001)).toBe(99);
    // A window later with only that file: 10 ms spacing.
    expect(pacer.delayAfterChange(one, 2_100, 2_101)).toBe(9);
    // After a long quiet spell nothing is remembered.
    expect(pacer.delayAfterChange(one, 9_000, 9_001)).toBe(9);
  });

  it('forgets a closed file', () => {
    const pacer = new ReadPacer(100, 0);
    const a = {};
    const b = {};
    pacer.delayAfterChange(a, Number.NEGATIVE_INFINITY, 1);
    pacer.delayAfterChange(b, Number.NEGATIVE_INFINITY, 1);
    pacer.forget(b);
    expect(pacer.delayAfterChange(a, 10, 11)).toBe(9);
  });
});
