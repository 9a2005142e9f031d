import type { Verdict } from '../../../protocol/index.js';

const D = Date.UTC(2026, 11, 7, 12, 0, 0);

/** A verdict on deploy `d1` at D: 5 minutes into a 10-minute window, a full hour of baseline. */
export function verdict(pinId: string, overrides: Partial<Verdict> = {}): Verdict {
  return {
    deployId: 'd1',
    pinId,
    pinName: `pin ${pinId}`,
    verdict: 'unchanged',
    final: false,
    windowFrom: D,
    windowTo: D + 600_000,
    windowElapsedMs: 300_000,
    windowCount: 4,
    baselineFrom: D - 3_600_000,
    baselineTo: D,
    baselineCoveredMs: 3_600_000,
    baselineCount: 40,
    ratio: 1.2,
    pValue: 0.31,
    updatedAt: D + 300_000,
    ...overrides,
  };
}
