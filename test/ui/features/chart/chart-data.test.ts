import { describe, expect, it } from 'vitest';
import { barAt, barSpan, chooseStep, deployMarks, dragSpan, fromHistogram, fromPinRate, plotColumns } from '../../../../ui/src/features/chart/chart-data.js';
import { deploy } from '../../helpers/fake-api.js';

const S = 1000;
const MIN = 60 * S;
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('chart data', () => {
  it('picks the narrowest bar that shows a window in at most 360 bars', () => {
    expect(chooseStep(15 * MIN)).toBe(10 * S);
    expect(chooseStep(60 * MIN)).toBe(10 * S);
    expect(chooseStep(6 * 60 * MIN)).toBe(MIN);
    expect(chooseStep(24 * 60 * MIN)).toBe(5 * MIN);
  });

  it('sums a pin’s 10 s counts into bars, with no count (a gap, not 0) before the pin counted', () => {
    const rate = {
      pinId: 'p',
      bucketMs: 10 * S,
      buckets: Array.from({ length: 12 }, (_, i) => ({ ts: T0 + i * 10 * S, count: i })),
    };
    // Bars of 30 s over [T0, T0 + 2 min); the pin counts from T0 + 35 s.
    const series = fromPinRate(rate, { from: T0 + 5 * S, to: T0 + 115 * S }, 30 * S, T0 + 35 * S);
    expect(series).toMatchObject({ from: T0, to: T0 + 2 * MIN, stepMs: 30 * S });
    expect(series.buckets).toEqual([
      { ts: T0, count: null },
      // 10 s buckets 3, 4, 5: the one at T0 + 30 s ends after the pin began, so it counts.
      { ts: T0 + 30 * S, count: 3 + 4 + 5 },
      { ts: T0 + 60 * S, count: 6 + 7 + 8 },
      { ts: T0 + 90 * S, count: 9 + 10 + 11 },
    ]);
    expect(plotColumns(series)).toEqual([
      [T0, T0 + 30 * S, T0 + 60 * S, T0 + 90 * S],
      [null, 12, 21, 30],
    ]);
  });

  it('takes the hub’s histogram buckets as they are, from the first bucket’s start to the last one’s end', () => {
    const series = fromHistogram({ from: T0 + 5 * S, to: T0 + 25 * S, step: 10 * S, partial: false, buckets: [0, 1, 2].map((i) => ({ ts: T0 + i * 10 * S, count: i })) });
    expect(series).toMatchObject({ from: T0, to: T0 + 30 * S, stepMs: 10 * S });
  });

  it('places deploys inside the chart on its time axis, as a fraction of its width, and leaves out the others', () => {
    const series = { from: T0, to: T0 + 60 * MIN };
    const deploys = [deploy('old', T0 - MIN), deploy('a quarter in', T0 + 15 * MIN), deploy('at the end', T0 + 60 * MIN), deploy('later', T0 + 61 * MIN)];
    expect(deployMarks(deploys, series)).toEqual([
      { id: 'dep-a-quarter-in', label: 'a quarter in', ts: T0 + 15 * MIN, at: 0.25 },
      { id: 'dep-at-the-end', label: 'at the end', ts: T0 + 60 * MIN, at: 1 },
    ]);
  });

  it('turns a click into the clicked bar’s span, and a drag into the whole bars it touches', () => {
    const series = fromPinRate({ pinId: 'p', bucketMs: 10 * S, buckets: [] }, { from: T0, to: T0 + MIN }, 10 * S, 0);
    expect(barAt(series, T0 + 25 * S)).toBe(2);
    expect(barAt(series, T0 - 1)).toBeUndefined();
    expect(barAt(series, T0 + MIN)).toBeUndefined();
    expect(barSpan(series, 2)).toEqual({ from: T0 + 20 * S, to: T0 + 30 * S });
    expect(barSpan(series, 6)).toBeUndefined();
    // Dragged right to left from inside bar 4 to inside bar 1: bars 1 to 4.
    expect(dragSpan(series, T0 + 45 * S, T0 + 12 * S)).toEqual({ from: T0 + 10 * S, to: T0 + 50 * S });
    // Past the edges: clamped to the chart.
    expect(dragSpan(series, T0 - MIN, T0 + 2 * MIN)).toEqual({ from: T0, to: T0 + MIN });
  });
});
