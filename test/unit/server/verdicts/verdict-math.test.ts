import { describe, expect, it } from 'vitest';
import type { Deploy } from '../../../../protocol/index.js';
import type { PinRateBucket } from '../../../../server/pins/pin-counter.js';
import { computeVerdict, perLookThreshold, type VerdictInput, type VerdictSettings } from '../../../../server/verdicts/verdict-math.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const BUCKET = 10 * SECOND;
const SETTINGS: VerdictSettings = { windowMs: 10 * MINUTE, baselineMs: 60 * MINUTE, alpha: 0.01, bucketMs: BUCKET };
/** A deploy 4 s into a bucket, so the bucket holding it straddles it. */
const D = 1_764_000_000_000 + 4 * SECOND;
const DEPLOY: Deploy = { id: 'd1', label: 'web 1', startedAt: D, createdAt: D };
const PIN = { id: 'p1', name: 'errors' };

const bucketOf = (ts: number) => Math.floor(ts / BUCKET) * BUCKET;

function input(buckets: PinRateBucket[], now: number, extra: Partial<VerdictInput> = {}): VerdictInput {
  return { deploy: DEPLOY, pin: PIN, buckets, countsBegin: D - 2 * 60 * MINUTE, now, ...extra };
}

describe('computeVerdict', () => {
  it('splits the bucket holding the deploy in proportion to time', () => {
    // 10 matches in [D - 4 s, D + 6 s): 4 before the deploy, 6 after.
    const verdict = computeVerdict(input([{ ts: bucketOf(D), count: 10 }], D + MINUTE), SETTINGS);
    expect(verdict).toMatchObject({ baselineCount: 4, windowCount: 6, windowElapsedMs: MINUTE, baselineCoveredMs: 60 * MINUTE, final: false });
    expect(verdict).toMatchObject({ windowFrom: D, windowTo: D + 10 * MINUTE, baselineFrom: D - 60 * MINUTE, baselineTo: D, deployId: 'd1', pinId: 'p1', pinName: 'errors' });
  });

  it('counts the bucket being filled with its elapsed time only, so a new deploy counts at once', () => {
    // 2 s after the deploy, the current bucket has run 6 s: 4 s before the deploy, 2 s after it.
    const now = D + 2 * SECOND;
    const verdict = computeVerdict(input([{ ts: bucketOf(D), count: 30 }], now), SETTINGS);
    expect(verdict).toMatchObject({ baselineCount: 20, windowCount: 10, windowElapsedMs: 2 * SECOND, updatedAt: now });
    // The same counts judged as if the bucket were whole would put 18 after the deploy.
    expect(computeVerdict(input([{ ts: bucketOf(D), count: 30 }], D + MINUTE), SETTINGS).windowCount).toBe(18);
  });

  it('splits the bucket at the start of the baseline and the one at the end of the window too', () => {
    const buckets = [
      { ts: bucketOf(D - 60 * MINUTE), count: 10 }, // 6 s of it inside the baseline
      { ts: bucketOf(D + 10 * MINUTE), count: 10 }, // 4 s of it inside the window
    ];
    expect(computeVerdict(input(buckets, D + 20 * MINUTE), SETTINGS)).toMatchObject({ baselineCount: 6, windowCount: 4, final: true });
  });

  it('uses only the part of the baseline the counts cover, and says how long it was', () => {
    const countsBegin = D - 20 * MINUTE + 5 * SECOND;
    const buckets = [
      { ts: bucketOf(countsBegin), count: 8 }, // counted from 9 s into this bucket: all 8 are in the baseline
      { ts: bucketOf(D - MINUTE), count: 2 },
    ];
    const verdict = computeVerdict(input(buckets, D + 5 * MINUTE, { countsBegin }), SETTINGS);
    expect(verdict).toMatchObject({ baselineCount: 10, baselineCoveredMs: 20 * MINUTE - 5 * SECOND, windowElapsedMs: 5 * MINUTE });
    expect(verdict.ratio).toBe(0);
    // A pin created 2 s before the deploy: its first bucket holds 2 s before the deploy and 6 s after.
    const fresh = computeVerdict(input([{ ts: bucketOf(D), count: 8 }], D + MINUTE, { countsBegin: D - 2 * SECOND }), SETTINGS);
    // Two seconds of baseline: a rise could not show, so it is too few to tell.
    expect(fresh).toMatchObject({ baselineCount: 2, windowCount: 6, baselineCoveredMs: 2 * SECOND, verdict: 'too-few' });
  });

  it('ends the window at the next deploy, or at the deploy\u2019s own length', () => {
    const cut = computeVerdict(input([], D + 3 * MINUTE, { nextDeployAt: D + 3 * MINUTE }), SETTINGS);
    expect(cut).toMatchObject({ windowTo: D + 3 * MINUTE, final: true, windowElapsedMs: 3 * MINUTE });
    const long = { ...DEPLOY, windowMs: 30 * MINUTE };
    expect(computeVerdict(input([], D + 20 * MINUTE, { deploy: long }), SETTINGS)).toMatchObject({ windowTo: D + 30 * MINUTE, final: false });
    // Three times as many looks: a third of the significance each.
    expect(perLookThreshold(long, SETTINGS)).toBeCloseTo(perLookThreshold(DEPLOY, SETTINGS) / 3, 15);
    expect(perLookThreshold(DEPLOY, SETTINGS)).toBeCloseTo(0.01 / 60, 15);
  });

  it('says worse, better, unchanged and too-few, with the p-value of the verdict and the rate ratio', () => {
    // 60 matches an hour before (1 a minute).
    const baseline = Array.from({ length: 60 }, (_, i) => ({ ts: bucketOf(D - (i + 1) * MINUTE), count: 1 }));
    const after = (count: number) => [...baseline, { ts: bucketOf(D + 5 * MINUTE), count }];
    const end = D + 10 * MINUTE;
    const worse = computeVerdict(input(after(100), end), SETTINGS);
    expect(worse).toMatchObject({ verdict: 'worse', final: true, windowCount: 100, baselineCount: 60 });
    expect(worse.ratio).toBeCloseTo(10, 10);
    expect(worse.pValue).toBeLessThan(1e-30);
    expect(computeVerdict(input(after(10), end), SETTINGS)).toMatchObject({ verdict: 'unchanged', ratio: 1 });
    // (The oldest bucket straddles the start of the baseline: 6 of its 10 count.)
    const better = computeVerdict(input(baseline.map((b) => ({ ...b, count: 10 })), end), SETTINGS);
    expect(better).toMatchObject({ verdict: 'better', windowCount: 0, baselineCount: 596, ratio: 0 });
    expect(better.pValue / (6 / 7) ** 596).toBeCloseTo(1, 12);
    // 2 matches, both after: (1/7)^2 is far above the per-look threshold.
    const tooFew = computeVerdict(input([{ ts: bucketOf(D + MINUTE), count: 2 }], end), SETTINGS);
    expect(tooFew).toMatchObject({ verdict: 'too-few', ratio: null });
    expect(tooFew.pValue).toBeCloseTo(1 / 49, 15);
  });
});
