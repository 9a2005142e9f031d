import { describe, expect, it } from 'vitest';
import { completeBuckets, countBetween, covers, sinceDeploy, type PinSeries } from '../../../../ui/src/features/pins/rate-math.js';

const S = 1000;

/** Buckets of 10 s from `start`, the last one still filling up to `countedTo`. */
function series(start: number, counts: number[], countedTo: number, truncated = false): PinSeries {
  const buckets = counts.map((count, index) => ({ ts: start + index * 10 * S, count }));
  return { bucketMs: 10 * S, buckets, currentTs: buckets[buckets.length - 1]!.ts, countedTo, truncated };
}

describe('countBetween', () => {
  // [0,10) 2, [10,20) 2, [20,30) 3, [30,40) 4, [40,50) 5, [50,55) 6 (the current bucket, counted for 5 s)
  const s = series(0, [2, 2, 3, 4, 5, 6], 55 * S);

  it('counts whole buckets exactly', () => {
    expect(countBetween(s, 0, 30 * S)).toBe(7);
    expect(countBetween(s, 30 * S, 55 * S)).toBe(15);
    expect(countBetween(s, 0, 100 * S)).toBe(22);
  });

  it('splits a bucket the interval only partly covers in proportion to time', () => {
    expect(countBetween(s, 5 * S, 30 * S)).toBe(6);
    expect(countBetween(s, 35 * S, 40 * S)).toBe(2);
  });

  it('measures the current bucket over the time it has counted, not its full width', () => {
    // 6 matches in [50, 55): the half [52.5, 55) holds 3 of them.
    expect(countBetween(s, 52.5 * S, 60 * S)).toBe(3);
  });

  it('gives a bucket that has counted over no time yet wholly to where it starts', () => {
    const fresh = series(0, [1, 7], 10 * S);
    expect(countBetween(fresh, 10 * S, 11 * S)).toBe(7);
    expect(countBetween(fresh, 0, 10 * S)).toBe(1);
  });
});

describe('sinceDeploy', () => {
  it('compares [deploy, now) with the span of the same length just before the deploy', () => {
    const s = series(0, [2, 2, 3, 4, 5, 6], 55 * S);
    // Deploy at 30 s, now 55 s: since = 4 + 5 + 6 = 15; before = [5 s, 30 s) = 1 + 2 + 3 = 6.
    expect(sinceDeploy(s, 30 * S)).toEqual({ spanMs: 25 * S, estimated: false, partial: false, since: 15, before: 6 });
  });

  it('marks the numbers as estimates while the deploy sits inside a bucket and the span is short', () => {
    const s = series(0, [0, 0, 10, 0, 0], 45 * S);
    // Deploy at 25 s, mid-bucket, now 45 s: half of the 10 matches of [20, 30) count as after it, half before.
    expect(sinceDeploy(s, 25 * S)).toEqual({ spanMs: 20 * S, estimated: true, partial: false, since: 5, before: 5 });
  });

  it('no longer estimates once the span is long enough that the split bucket hardly matters', () => {
    // One match every 10 s; deploy at 297 s, now 495 s: 0.3 + 19 + 1 since, 0.1 + 19 + 0.7 before.
    const s = series(0, Array.from({ length: 50 }, () => 1), 495 * S);
    expect(sinceDeploy(s, 297 * S)).toEqual({ spanMs: 198 * S, estimated: false, partial: false, since: 20, before: 20 });
  });

  it('has no "before" when the counts of that span are not held (older than the hub keeps)', () => {
    const s = series(100 * S, [1, 1, 1], 125 * S, true);
    expect(covers(s, 100 * S)).toBe(true);
    expect(covers(s, 99 * S)).toBe(false);
    // Deploy at 106 s, now 125 s: 0.4 + 1 + 1 since; "before" would start at 87 s.
    expect(sinceDeploy(s, 106 * S)).toMatchObject({ since: 2, before: undefined });
  });

  it('counts only from the creation of a pin younger than the span: the hub’s zeros before it are not counts', () => {
    const s = series(0, [2, 2, 3, 4, 5, 6], 55 * S);
    // Created at 10 s, deploy at 30 s: "before" would start at 5 s, when the pin did not exist.
    expect(sinceDeploy(s, 30 * S, 10 * S)).toMatchObject({ partial: false, since: 15, before: undefined });
    // Created at 40 s, after the deploy: "since" counts from 40 s only, and says so.
    expect(sinceDeploy(s, 30 * S, 40 * S)).toMatchObject({ partial: true, since: 11, before: undefined });
    // Created long before: as if it always counted.
    expect(sinceDeploy(s, 30 * S, 5 * S)).toMatchObject({ partial: false, since: 15, before: 6 });
  });

  it('is zero and zero for a deploy at (or after) the time the counts go to', () => {
    const s = series(0, [3, 3], 15 * S);
    expect(sinceDeploy(s, 15 * S)).toMatchObject({ spanMs: 0, since: 0, before: 0 });
    expect(sinceDeploy(s, 40 * S)).toMatchObject({ spanMs: 0, since: 0, before: 0 });
  });
});

describe('completeBuckets', () => {
  it('keeps the buckets of the window before the one still filling', () => {
    const s = series(0, [1, 2, 3, 4], 35 * S);
    expect(completeBuckets(s, 20 * S)).toEqual([
      { ts: 10 * S, count: 2 },
      { ts: 20 * S, count: 3 },
    ]);
  });

  it('starts at the bucket the pin was created in', () => {
    const s = series(0, [0, 0, 3, 4], 35 * S);
    expect(completeBuckets(s, 60 * S, 25 * S)).toEqual([{ ts: 20 * S, count: 3 }]);
  });
});
