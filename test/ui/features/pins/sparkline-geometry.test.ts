import { describe, expect, it } from 'vitest';
import { sparklineGeometry, type SparklineInput } from '../../../../ui/src/features/pins/sparkline-geometry.js';

const base: SparklineInput = { buckets: [], bucketMs: 10, from: 0, to: 40, width: 100, height: 20, markers: [], pad: 2 };

describe('sparklineGeometry', () => {
  it('puts each bucket at its middle and scales counts so the peak touches the top', () => {
    const geometry = sparklineGeometry({
      ...base,
      buckets: [
        { ts: 0, count: 0 },
        { ts: 10, count: 4 },
        { ts: 20, count: 8 },
        { ts: 30, count: 2 },
      ],
    });
    // x = (ts + 5) / 40 * 100; y = 18 - count / 8 * 16.
    expect(geometry.line).toBe('M12.5 18L37.5 10L62.5 2L87.5 14');
    expect(geometry.area).toBe('M12.5 18L37.5 10L62.5 2L87.5 14L87.5 20L12.5 20Z');
    expect(geometry.peak).toBe(8);
  });

  it('lays a quiet pin flat on the bottom', () => {
    const geometry = sparklineGeometry({ ...base, buckets: [{ ts: 0, count: 0 }, { ts: 10, count: 0 }] });
    expect(geometry.line).toBe('M12.5 18L37.5 18');
    expect(geometry.peak).toBe(0);
  });

  it('draws nothing without buckets, and leaves out buckets outside the axis or not complete by its end', () => {
    expect(sparklineGeometry(base)).toMatchObject({ line: '', area: '', peak: 0 });
    const geometry = sparklineGeometry({
      ...base,
      buckets: [
        { ts: -10, count: 99 },
        { ts: 0, count: 1 },
        { ts: 35, count: 50 },
      ],
    });
    // One bucket is one point, which a path would not show: a short level stroke instead.
    expect(geometry.line).toBe('M11 2L14 2');
    expect(geometry.peak).toBe(1);
    const atEdge = sparklineGeometry({ ...base, buckets: [{ ts: 30, count: 1 }], to: 40 });
    expect(atEdge.line).toBe('M86 2L89 2');
    expect(sparklineGeometry({ ...base, buckets: [{ ts: 30, count: 1 }], from: 0, to: 40, width: 10 }).line).toBe('M7.25 2L10 2');
  });

  it('places deploy markers by time: left out before the axis, pinned to the right edge after it', () => {
    const geometry = sparklineGeometry({ ...base, markers: [-5, 0, 10, 40, 47] });
    expect(geometry.markers).toEqual([
      { index: 1, at: 0, x: 0 },
      { index: 2, at: 10, x: 25 },
      { index: 3, at: 40, x: 100 },
      { index: 4, at: 47, x: 100 },
    ]);
  });

  it('works on real scales: an hour of 10 s buckets on 96 px', () => {
    const to = 1_764_190_000_000;
    const from = to - 3_600_000;
    const buckets = Array.from({ length: 360 }, (_, i) => ({ ts: from + i * 10_000, count: i === 359 ? 12 : 1 }));
    const geometry = sparklineGeometry({ buckets, bucketMs: 10_000, from, to, width: 96, height: 22, markers: [to - 90_000] });
    const points = geometry.line.slice(1).split('L').map((point) => point.split(' ').map(Number) as [number, number]);
    expect(points).toHaveLength(360);
    // y = 20 - 1 / 12 * 18 for a count of 1 under a peak of 12.
    expect(points[0]).toEqual([0.13, 18.5]);
    expect(points[359]).toEqual([95.87, 2]);
    expect(geometry.markers[0]!.x).toBe(93.6);
  });
});
