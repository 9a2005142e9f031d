import { describe, expect, it } from 'vitest';
import { comparePoissonCounts } from '../../../../server/verdicts/poisson-test.js';

/** P(X >= k), X ~ Binomial(n, a / (a + b)), exactly in integers, then as a float: the slow reference. */
function exactUpperTail(k: number, n: number, a: number, b: number): number {
  const A = BigInt(a);
  const B = BigInt(b);
  let numerator = 0n;
  let choose = 1n;
  for (let i = 0; i <= n; i += 1) {
    if (i > 0) choose = (choose * BigInt(n - i + 1)) / BigInt(i);
    if (i >= k) numerator += choose * A ** BigInt(i) * B ** BigInt(n - i);
  }
  const denominator = (A + B) ** BigInt(n);
  if (numerator === 0n) return 0;
  // Scale so the integer quotient keeps 64 significant bits, whatever the size of the ratio.
  const shift = denominator.toString(2).length - numerator.toString(2).length + 64;
  let value = Number(shift >= 0 ? (numerator << BigInt(shift)) / denominator : numerator / (denominator << BigInt(-shift)));
  // Divided by 2^shift in steps: 2^shift alone may be past the largest double.
  for (let left = shift; left !== 0; left -= Math.sign(left) * Math.min(Math.abs(left), 1000)) value /= 2 ** (Math.sign(left) * Math.min(Math.abs(left), 1000));
  return value;
}

/** ln(k!) for every k up to n, summed with compensation (Kahan) so the error stays near one rounding. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  let sum = 0;
  let carry = 0;
  for (let k = 1; k <= n; k += 1) {
    const y = Math.log(k) - carry;
    const t = sum + y;
    carry = t - sum - y;
    sum = t;
    out[k] = sum;
  }
  return out;
}

/** P(X >= k) by summing every term of the tail in log space: slow, independent of the code under test. */
function summedUpperTail(k: number, n: number, p: number, lf: Float64Array): number {
  const logs: number[] = [];
  for (let i = k; i <= n; i += 1) logs.push(lf[n]! - lf[i]! - lf[n - i]! + i * Math.log(p) + (n - i) * Math.log1p(-p));
  const max = Math.max(...logs.slice(0, 100_000));
  return Math.exp(max) * logs.reduce((sum, value) => sum + Math.exp(value - max), 0);
}

describe('comparePoissonCounts', () => {
  it('gives the binomial tails of the split when both lengths are equal (hand-computed)', () => {
    // n = 10, p = 1/2: P(X >= 8) = (45 + 10 + 1) / 1024; P(X <= 8) = 1 - (10 + 1) / 1024.
    const result = comparePoissonCounts(2, 60_000, 8, 60_000, 0.01);
    expect(result.upperP).toBeCloseTo(56 / 1024, 14);
    expect(result.lowerP).toBeCloseTo(1013 / 1024, 14);
    expect(result.ratio).toBe(4);
    // n = 3, p = 1/4 (t1 = 1, t0 = 3): P(X >= 3) = 1/64, P(X <= 0) = 27/64.
    const small = comparePoissonCounts(0, 3, 3, 1, 0.001);
    expect(small.upperP).toBeCloseTo(1 / 64, 15);
    expect(small.lowerP).toBeCloseTo(1, 15);
    expect(comparePoissonCounts(3, 3, 0, 1, 0.001).lowerP).toBeCloseTo(27 / 64, 15);
    expect(small.ratio).toBeNull();
  });

  it.each([
    [40, 10, 3, 1],
    [200, 31, 6, 1],
    [5, 25, 1, 5],
    [120, 120, 1, 1],
    [0, 17, 7, 3],
    [300, 0, 1, 9],
    [150, 150, 1, 6],
  ])('matches the exact rational tails for k0=%i, k1=%i, t0=%i, t1=%i', (k0, k1, t0, t1) => {
    const n = k0 + k1;
    const { upperP, lowerP } = comparePoissonCounts(k0, t0, k1, t1, 0.01);
    const upper = exactUpperTail(k1, n, t1, t0);
    const lower = 1 - exactUpperTail(k1 + 1, n, t1, t0);
    const lowerExact = exactUpperTail(n - k1, n, t0, t1);
    expect(Math.abs(upperP - upper)).toBeLessThanOrEqual(upper * 1e-12 + 1e-300);
    expect(Math.abs(lowerP - lowerExact)).toBeLessThanOrEqual(lowerExact * 1e-12 + 1e-300);
    expect(lowerP).toBeCloseTo(lower, 12);
  });

  it('stays exact for a million matches, far in the tail and near the middle', () => {
    const n = 1_000_000;
    const lf = logFactorials(n);
    for (const [k1, t0, t1] of [
      [503_000, 1, 1],
      [500_400, 1, 1],
      [100_900, 9, 1],
      [99_000, 9, 1],
      [150, 999_999, 1],
    ] as const) {
      const { upperP, lowerP } = comparePoissonCounts(n - k1, t0, k1, t1, 0.01);
      const p = t1 / (t0 + t1);
      const upper = summedUpperTail(k1, n, p, lf);
      const lower = summedUpperTail(n - k1, n, 1 - p, lf);
      expect(Math.abs(upperP / upper - 1)).toBeLessThan(1e-6);
      expect(Math.abs(lowerP / lower - 1)).toBeLessThan(1e-6);
    }
  });

  it('answers at once for tens of millions of matches, with tails that add up', () => {
    const n = 40_000_000;
    const at = comparePoissonCounts(n / 2, 1, n / 2, 1, 0.01);
    const next = comparePoissonCounts(n / 2 - 1, 1, n / 2 + 1, 1, 0.01);
    // P(X >= m) + P(X <= m - 1) = 1.
    expect(at.upperP + comparePoissonCounts(n / 2 + 1, 1, n / 2 - 1, 1, 0.01).lowerP).toBeCloseTo(1, 12);
    expect(at.upperP).toBeGreaterThan(0.5);
    expect(next.upperP).toBeLessThan(at.upperP);
    // 12.6 standard deviations out: the normal tail phi(z) / z gives 5.7e-37.
    const far = comparePoissonCounts(n / 2 - 40_000, 1, n / 2 + 40_000, 1, 0.01).upperP;
    expect(far).toBeGreaterThan(5e-37);
    expect(far).toBeLessThan(6.5e-37);
  });

  describe('too few to tell', () => {
    // An hour before, ten minutes after, one look of sixty: all n after the deploy has probability
    // (1/7)^n, under the threshold from n = 5; all n before it (6/7)^n, from n = 57.
    const threshold = 0.01 / 60;
    const hour = 3_600_000;
    const tenMinutes = 600_000;

    it('is said when even the most lopsided split could not reach the threshold', () => {
      expect(comparePoissonCounts(0, hour, 0, tenMinutes, threshold).tooFew).toBe(true);
      const four = comparePoissonCounts(0, hour, 4, tenMinutes, threshold);
      expect(four.tooFew).toBe(true);
      expect(four.upperP).toBeCloseTo((1 / 7) ** 4, 15);
      expect(comparePoissonCounts(2, hour, 2, tenMinutes, threshold).tooFew).toBe(true);
    });

    it('is said while a change could show in one direction only, though a worse verdict still shows', () => {
      // Five matches after and none before: a rise shows (p = (1/7)^5); a fall of five could not.
      const five = comparePoissonCounts(0, hour, 5, tenMinutes, threshold);
      expect(five.tooFew).toBe(true);
      expect(five.upperP).toBeCloseTo((1 / 7) ** 5, 15);
      expect(five.upperP).toBeLessThan(threshold);
      expect(comparePoissonCounts(5, hour, 0, tenMinutes, threshold).tooFew).toBe(true);
    });

    it('is not said once a change could show in both directions', () => {
      // 70 matches: all after has (1/7)^70, all before (6/7)^70 = 2.1e-5, both under the threshold.
      expect(comparePoissonCounts(60, hour, 10, tenMinutes, threshold).tooFew).toBe(false);
      // 50: (6/7)^50 = 4.5e-4 is not.
      expect(comparePoissonCounts(40, hour, 10, tenMinutes, threshold).tooFew).toBe(true);
    });

    it('is said when either side has no time at all', () => {
      expect(comparePoissonCounts(500, hour, 0, 0, threshold)).toMatchObject({ tooFew: true, upperP: 1, lowerP: 1, ratio: null });
      expect(comparePoissonCounts(0, 0, 500, tenMinutes, threshold)).toMatchObject({ tooFew: true, ratio: null });
    });
  });
});
