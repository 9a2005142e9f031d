/**
 * The exact conditional test for two Poisson counts: k0 matches in t0 (before a deploy), k1 in t1
 * (after it). If the rate did not change, k1 given n = k0 + k1 is Binomial(n, t1 / (t0 + t1)); the
 * p-values are that binomial's tails. Probabilities are computed in log space with the saddle-point
 * form of the binomial probability (Loader, 2000), so n in the millions stays exact to many digits.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** ln(k!) for k <= 15, where the series below is not accurate enough. */
const LN_FACTORIAL: number[] = [0];
for (let k = 1; k <= 15; k += 1) LN_FACTORIAL.push(LN_FACTORIAL[k - 1]! + Math.log(k));

/** ln(k!) minus its Stirling approximation (k + 1/2) ln k - k + ln sqrt(2 pi), for k >= 1. */
function stirlingError(k: number): number {
  if (k <= 15) return LN_FACTORIAL[k]! - (k + 0.5) * Math.log(k) + k - LN_SQRT_2PI;
  const k2 = k * k;
  // The asymptotic series 1/12k - 1/360k^3 + 1/1260k^5 - 1/1680k^7 + 1/1188k^9, cut where it is exact enough.
  if (k > 500) return (1 / 12 - 1 / 360 / k2) / k;
  if (k > 80) return (1 / 12 - (1 / 360 - 1 / 1260 / k2) / k2) / k;
  if (k > 35) return (1 / 12 - (1 / 360 - (1 / 1260 - 1 / 1680 / k2) / k2) / k2) / k;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / k2) / k2) / k2) / k2) / k;
}

/** x ln(x / m) + m - x, without the cancellation of the plain formula when x is close to m. */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) >= 0.1 * (x + m)) return x * Math.log(x / m) + m - x;
  const v = (x - m) / (x + m);
  const v2 = v * v;
  let sum = (x - m) * v;
  let term = 2 * x * v;
  for (let j = 1; j < 1000; j += 1) {
    term *= v2;
    const next = sum + term / (2 * j + 1);
    if (next === sum) return next;
    sum = next;
  }
  return sum;
}

/** ln P(X = k) for X ~ Binomial(n, p), with q = 1 - p given separately (exact for tiny p or q). */
function logBinomialPmf(k: number, n: number, p: number, q: number): number {
  if (k === 0) return n === 0 ? 0 : n * Math.log(q);
  if (k === n) return n * Math.log(p);
  if (p === 0 || q === 0) return Number.NEGATIVE_INFINITY;
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  return lc - 0.5 * (Math.log(2 * Math.PI * k) + Math.log1p(-k / n));
}

/**
 * P(X >= k) for X ~ Binomial(n, p), q = 1 - p. Past the mode it sums the tail outwards (terms
 * shrink at least geometrically, so it stops after a few standard deviations); before the mode it
 * takes the complement of the other tail, which is then the small one.
 */
function upperTail(k: number, n: number, p: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (q === 0) return 1;
  const mode = Math.floor((n + 1) * p);
  if (k <= mode) return Math.max(0, 1 - lowerTailBelowMode(k - 1, n, p, q));
  // Sum of pmf(i) / pmf(k) for i >= k, then scaled by pmf(k) in log space (no underflow on the way).
  const ratio = p / q;
  let relative = 1;
  let term = 1;
  for (let i = k; i < n; i += 1) {
    term *= ((n - i) / (i + 1)) * ratio;
    relative += term;
    if (term <= relative * 1e-17) break;
  }
  return Math.min(1, Math.exp(logBinomialPmf(k, n, p, q) + Math.log(relative)));
}

/** P(X <= k) for k below the mode: summed downwards from k. */
function lowerTailBelowMode(k: number, n: number, p: number, q: number): number {
  if (k < 0) return 0;
  const ratio = q / p;
  let relative = 1;
  let term = 1;
  for (let i = k; i > 0; i -= 1) {
    term *= (i / (n - i + 1)) * ratio;
    relative += term;
    if (term <= relative * 1e-17) break;
  }
  return Math.min(1, Math.exp(logBinomialPmf(k, n, p, q) + Math.log(relative)));
}

export interface PoissonComparison {
  /** P(at least k1 of the n matches fall after the deploy | no change): small means the rate rose. */
  upperP: number;
  /** P(at most k1 of them fall after it | no change): small means the rate fell. */
  lowerP: number;
  /** (k1 / t1) / (k0 / t0); null when k0 is 0 or either length is 0. */
  ratio: number | null;
  /**
   * Either all n matches after the deploy or all n before it would not reach `threshold`: with so
   * few matches, or so little time on one side, a change in at least one direction could not be
   * shown, so "unchanged" would claim more than the counts can say.
   */
  tooFew: boolean;
}

/**
 * Compares k0 counts in t0 with k1 counts in t1 (any time unit, the same for both) at a one-sided
 * `threshold` per direction. With t0 or t1 of zero there is nothing to compare: too few.
 */
export function comparePoissonCounts(k0: number, t0: number, k1: number, t1: number, threshold: number): PoissonComparison {
  const n = k0 + k1;
  const ratio = k0 > 0 && t0 > 0 && t1 > 0 ? k1 / t1 / (k0 / t0) : null;
  if (!(t0 > 0) || !(t1 > 0)) return { upperP: 1, lowerP: 1, ratio, tooFew: true };
  const p = t1 / (t0 + t1);
  const q = t0 / (t0 + t1);
  const logThreshold = Math.log(threshold);
  // The most lopsided splits: all n after the deploy (probability p^n), all n before it (q^n).
  const tooFew = n * Math.log(p) > logThreshold || n * Math.log(q) > logThreshold;
  return { upperP: upperTail(k1, n, p, q), lowerP: upperTail(n - k1, n, q, p), ratio, tooFew };
}
