import type { Deploy, Pin, Verdict, VerdictKind } from '../../protocol/index.js';
import type { PinRateBucket } from '../pins/pin-counter.js';
import { comparePoissonCounts } from './poisson-test.js';

export interface VerdictSettings {
  /** Window after a deploy that has no `windowMs` of its own (ms). */
  windowMs: number;
  /** Baseline before a deploy (ms), reduced to what the pin's counts cover. */
  baselineMs: number;
  /** False-alarm rate targeted over a whole window, per direction. */
  alpha: number;
  bucketMs: number;
}

export interface VerdictInput {
  deploy: Deploy;
  /** Start of the next deploy, which cuts this one's window short; absent: none yet. */
  nextDeployAt?: number | undefined;
  pin: Pick<Pin, 'id' | 'name'>;
  /** The pin's buckets over (at least) the baseline and the window; others are ignored. */
  buckets: readonly PinRateBucket[];
  /** Where the pin's counts begin (creation, history, retention): earlier time is not covered. */
  countsBegin: number;
  now: number;
}

/** [from, to) ∩ [from2, to2), as a length (0 when apart). */
function overlap(from: number, to: number, from2: number, to2: number): number {
  return Math.max(0, Math.min(to, to2) - Math.max(from, from2));
}

/** Where a deploy's window ends: its own length (or the default), cut short by the next deploy. */
export function windowEnd(deploy: Deploy, nextDeployAt: number | undefined, settings: Pick<VerdictSettings, 'windowMs'>): number {
  const full = deploy.startedAt + (deploy.windowMs ?? settings.windowMs);
  return nextDeployAt === undefined ? full : Math.max(deploy.startedAt, Math.min(full, nextDeployAt));
}

/**
 * The significance each look at a window uses: verdicts are recomputed every bucket while the
 * window fills, so `alpha` is shared out over those looks (Bonferroni), keeping the chance that
 * any look wrongly says `worse` at or under `alpha` for the whole window.
 */
export function perLookThreshold(deploy: Deploy, settings: VerdictSettings): number {
  const looks = Math.max(1, Math.ceil((deploy.windowMs ?? settings.windowMs) / settings.bucketMs));
  return settings.alpha / looks;
}

/**
 * One pin's verdict on one deploy at `now`. Each bucket's count is spread evenly over the part of
 * it the counts cover: from its start (or where counts begin) to its end (or `now`, for the bucket
 * being filled). So a bucket straddling the deploy is split in proportion to time, and the current
 * bucket counts with only its elapsed time: a new deploy's window starts counting at once.
 */
export function computeVerdict(input: VerdictInput, settings: VerdictSettings): Verdict {
  const { deploy, now, countsBegin } = input;
  const from = deploy.startedAt;
  const to = windowEnd(deploy, input.nextDeployAt, settings);
  const baselineFrom = from - settings.baselineMs;
  let windowSum = 0;
  let baselineSum = 0;
  for (const { ts, count } of input.buckets) {
    if (count <= 0) continue;
    const start = Math.max(ts, countsBegin);
    const end = Math.min(ts + settings.bucketMs, now);
    if (end > start) {
      windowSum += (count * overlap(start, end, from, to)) / (end - start);
      baselineSum += (count * overlap(start, end, baselineFrom, from)) / (end - start);
    } else if (start >= from && start < to) {
      // A bucket with no time covered yet (it starts at `now`): its matches are at its start.
      windowSum += count;
    } else if (start >= baselineFrom && start < from) {
      baselineSum += count;
    }
  }
  const windowCount = Math.round(windowSum);
  const baselineCount = Math.round(baselineSum);
  const windowElapsedMs = overlap(from, to, countsBegin, now);
  const baselineCoveredMs = overlap(baselineFrom, from, countsBegin, now);
  const threshold = perLookThreshold(deploy, settings);
  const test = comparePoissonCounts(baselineCount, baselineCoveredMs, windowCount, windowElapsedMs, threshold);
  let verdict: VerdictKind;
  let pValue: number;
  if (test.upperP <= threshold) [verdict, pValue] = ['worse', test.upperP];
  else if (test.lowerP <= threshold) [verdict, pValue] = ['better', test.lowerP];
  else [verdict, pValue] = [test.tooFew ? 'too-few' : 'unchanged', Math.min(test.upperP, test.lowerP)];
  return {
    deployId: deploy.id,
    pinId: input.pin.id,
    pinName: input.pin.name,
    verdict,
    final: now >= to,
    windowFrom: from,
    windowTo: to,
    windowElapsedMs,
    windowCount,
    baselineFrom,
    baselineTo: from,
    baselineCoveredMs,
    baselineCount,
    ratio: test.ratio,
    pValue,
    updatedAt: now,
  };
}
