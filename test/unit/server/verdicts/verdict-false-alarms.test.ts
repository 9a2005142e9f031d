import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../lib/seeded-random.js';
import type { Deploy } from '../../../../protocol/index.js';
import type { PinRateBucket } from '../../../../server/pins/pin-counter.js';
import { computeVerdict, type VerdictSettings } from '../../../../server/verdicts/verdict-math.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const BUCKET = 10 * SECOND;
const SETTINGS: VerdictSettings = { windowMs: 10 * MINUTE, baselineMs: 60 * MINUTE, alpha: 0.01, bucketMs: BUCKET };
/** 4 s into a bucket: the buckets holding the deploy and the window's end are split. */
const OFFSET = 4 * SECOND;
const D = 1_764_000_000_000 + OFFSET;
const DEPLOY: Deploy = { id: 'd', label: 'sim', startedAt: D, createdAt: D };
const FIRST_BUCKET = D - OFFSET - SETTINGS.baselineMs;
const BUCKETS = (SETTINGS.baselineMs + SETTINGS.windowMs) / BUCKET + 1;

function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k += 1;
    product *= random();
  }
  return k;
}

interface Stream {
  /** Matches in the first 4 s of each bucket, and the whole buckets (what the counter answers once each is closed). */
  early: number[];
  whole: PinRateBucket[];
}

/** A pin's matches per part of bucket: `perSecond` before the deploy, `factor` times that after it. */
function simulate(perSecond: number, factor: number, random: () => number): Stream {
  const early: number[] = [];
  const whole: PinRateBucket[] = [];
  for (let i = 0; i < BUCKETS; i += 1) {
    const ts = FIRST_BUCKET + i * BUCKET;
    // The early part of the bucket holding D is before it, its late part after it.
    const earlyRate = ts + OFFSET <= D ? perSecond : perSecond * factor;
    const lateRate = ts + BUCKET <= D ? perSecond : perSecond * factor;
    const first = poisson((earlyRate * OFFSET) / SECOND, random);
    early.push(first);
    whole.push({ ts, count: first + poisson((lateRate * (BUCKET - OFFSET)) / SECOND, random) });
  }
  return { early, whole };
}

/** What the counter answers at `now`: whole buckets, and the current one with what it got so far. */
function bucketsAt(stream: Stream, now: number): PinRateBucket[] {
  const closed = Math.floor((now - FIRST_BUCKET) / BUCKET);
  const out = stream.whole.slice(0, closed);
  const elapsed = now - (FIRST_BUCKET + closed * BUCKET);
  if (elapsed > 0 && closed < BUCKETS) out.push({ ts: FIRST_BUCKET + closed * BUCKET, count: elapsed >= OFFSET ? stream.early[closed]! : 0 });
  return out;
}

/** The board's looks: just after each bucket closes while the window is open, and at its end. */
const LOOKS: number[] = [];
for (let at = D - OFFSET + BUCKET; at < D + SETTINGS.windowMs; at += BUCKET) LOOKS.push(at);
LOOKS.push(D + SETTINGS.windowMs);

/** How many streams showed each verdict at any look. */
function run(streams: number, perSecond: number, factor: number, seed: number): { worse: number; better: number; finalWorse: number } {
  const random = seededRandom(seed);
  let worse = 0;
  let better = 0;
  let finalWorse = 0;
  for (let s = 0; s < streams; s += 1) {
    const stream = simulate(perSecond, factor, random);
    let sawWorse = false;
    let sawBetter = false;
    let last = '';
    for (const now of LOOKS) {
      const { verdict } = computeVerdict({ deploy: DEPLOY, pin: { id: 'p', name: 'p' }, buckets: bucketsAt(stream, now), countsBegin: FIRST_BUCKET, now }, SETTINGS);
      sawWorse ||= verdict === 'worse';
      sawBetter ||= verdict === 'better';
      last = verdict;
    }
    if (sawWorse) worse += 1;
    if (sawBetter) better += 1;
    if (last === 'worse') finalWorse += 1;
  }
  return { worse, better, finalWorse };
}

describe('verdicts on simulated streams', () => {
  // 3,000 unchanged streams per rate, each looked at 61 times over its window. Were the chance of
  // ever saying `worse` exactly alpha (1 %), the count would be Binomial(3000, 0.01): mean 30,
  // standard deviation 5.4; the bound allows 3 of them (0.1 % one-sided), so the test fails when the
  // real rate is clearly above alpha, e.g. without the Bonferroni share each look would use.
  const STREAMS = 3_000;
  const bound = STREAMS * SETTINGS.alpha + 3 * Math.sqrt(STREAMS * SETTINGS.alpha * (1 - SETTINGS.alpha));

  it.each([
    ['a quiet pin', 0.02, 1],
    ['a steady pin', 0.3, 2],
    ['a busy pin', 3, 3],
  ])('keeps false alarms of %s (%f a second) at or under alpha over the whole window', (_name, perSecond, seed) => {
    const { worse, better } = run(STREAMS, perSecond, 1, seed);
    expect(worse).toBeLessThanOrEqual(bound);
    expect(better).toBeLessThanOrEqual(bound);
  }, 120_000);

  it('sees a tenfold rise', () => {
    // One match every 100 s before (36 in the hour), ten times as many after: about 60 in the window.
    const { worse, finalWorse } = run(300, 0.01, 10, 4);
    expect(finalWorse).toBeGreaterThanOrEqual(297);
    expect(worse).toBeGreaterThanOrEqual(297);
  }, 60_000);
});
