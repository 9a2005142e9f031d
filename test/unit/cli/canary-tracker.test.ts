import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanaryTracker } from '../../../cli/canary-tracker.js';
import { LatencyHistogram } from '../../../cli/latency-histogram.js';

describe('CanaryTracker', () => {
  const tracker = (lossAfterMs = 1_000, windowLines = 100) => new CanaryTracker({ lossAfterMs, windowLines });

  it('counts lines received once, in order, with their latency', () => {
    const canary = tracker();
    canary.written(0, 3, 1_000);
    canary.received(0, 1_010);
    canary.received(1, 1_020);
    canary.received(2, 1_100);
    expect(canary.report(1_200)).toEqual({
      written: 3,
      received: 3,
      lost: 0,
      late: 0,
      duplicates: 0,
      reordered: 0,
      unexpected: 0,
      pending: 0,
      latencyMs: { p50: expect.closeTo(20, 0), p99: 100, max: 100 },
    });
  });

  it('counts duplicates, reordering and sequence numbers it never wrote', () => {
    const canary = tracker();
    canary.written(0, 4, 0);
    canary.received(1, 5);
    canary.received(0, 6);
    canary.received(1, 7);
    canary.received(3, 8);
    canary.received(2, 9);
    canary.received(4, 10);
    canary.received(-1, 10);
    expect(canary.report(20)).toMatchObject({ written: 4, received: 4, duplicates: 1, reordered: 2, unexpected: 2, pending: 0, lost: 0 });
  });

  it('counts a line as lost once its deadline passes, and as late if it comes after all', () => {
    const canary = tracker(1_000);
    canary.written(0, 2, 0);
    canary.written(2, 3, 500);
    canary.received(0, 100);
    expect(canary.report(999)).toMatchObject({ received: 1, lost: 0, pending: 2 });
    expect(canary.report(1_000)).toMatchObject({ received: 0, lost: 1, pending: 1, latencyMs: undefined });
    canary.received(1, 1_200);
    expect(canary.report(1_600)).toMatchObject({ received: 1, late: 1, lost: 1, pending: 0, latencyMs: { max: 1_200 } });
    expect(canary.summary()).toMatchObject({ written: 3, received: 2, lost: 2, late: 1, duplicates: 0 });
  });

  it('keeps fixed memory: lines older than the window are given up, and count as unexpected if they come', () => {
    const canary = tracker(60_000, 10);
    canary.written(0, 25, 0);
    expect(canary.pending).toBe(10);
    expect(canary.report(1)).toMatchObject({ written: 25, lost: 15, pending: 10 });
    canary.received(3, 2);
    canary.received(20, 2);
    expect(canary.report(3)).toMatchObject({ unexpected: 1, received: 1 });
  });

  it('refuses lines written out of order', () => {
    const canary = tracker();
    canary.written(0, 2, 0);
    expect(() => canary.written(3, 4, 1)).toThrow(/out of order/);
  });

  it('accounts for every line exactly once, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2, max: 60 }), { maxLength: 200 }), (arrivals) => {
        const canary = tracker(1_000, 100);
        canary.written(0, 50, 0);
        for (const seq of arrivals) canary.received(seq, 10);
        const summary = canary.report(5_000);
        const distinct = new Set(arrivals.filter((seq) => seq >= 0 && seq < 50));
        expect(summary.received).toBe(distinct.size);
        expect(summary.received + summary.lost - summary.late).toBe(50);
        expect(summary.duplicates + summary.received + summary.unexpected).toBe(arrivals.length);
        expect(summary.pending).toBe(0);
      }),
    );
  });
});

describe('LatencyHistogram', () => {
  it('gives quantiles within 1% and the exact maximum', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1_000; ms += 1) histogram.record(ms);
    expect(histogram.count).toBe(1_000);
    expect(histogram.quantile(0.5)).toBeGreaterThanOrEqual(500);
    expect(histogram.quantile(0.5)).toBeLessThanOrEqual(505);
    expect(histogram.quantile(0.99)).toBeGreaterThanOrEqual(990);
    expect(histogram.quantile(0.99)).toBeLessThanOrEqual(1_000);
    expect(histogram.quantile(1)).toBe(1_000);
    expect(histogram.max).toBe(1_000);
  });

  it('puts sub-millisecond and negative latencies in the first bucket, and is empty after reset', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0.2);
    histogram.record(-5);
    expect(histogram.quantile(0.5)).toBeLessThanOrEqual(1);
    histogram.reset();
    expect(histogram.quantile(0.5)).toBeNaN();
  });
});
