import type { Verdict } from '../../../protocol/index.js';

const MIN = 60_000;

/** A verdict as the hub sends it: 4 of 10 minutes watched, 24 matches after against 3 in the hour before. */
export function verdict(overrides: Partial<Verdict> = {}): Verdict {
  const at = Date.UTC(2024, 4, 1, 14, 0, 0);
  return {
    deployId: 'dep-web-v2',
    pinId: 'pin-checkout-errors',
    pinName: 'checkout errors',
    verdict: 'worse',
    final: false,
    windowFrom: at,
    windowTo: at + 10 * MIN,
    windowElapsedMs: 4 * MIN + 20_000,
    windowCount: 24,
    baselineFrom: at - 60 * MIN,
    baselineTo: at,
    baselineCoveredMs: 60 * MIN,
    baselineCount: 3,
    ratio: 120,
    pValue: 2.4e-9,
    updatedAt: at + 4 * MIN + 20_000,
    ...overrides,
  };
}
