import { describe, expect, it } from 'vitest';
import { formatAgo, formatClock, formatIso, formatTimeOfDay, formatUtcClock } from '../../../../ui/src/lib/text/time-format.js';

describe('deploy times', () => {
  it('shows the wall-clock time to the second', () => {
    expect(formatTimeOfDay(Date.UTC(2024, 4, 1, 14, 2, 11, 999))).toBe('14:02:11');
  });

  it.each([
    [0, 'just now'],
    [4_999, 'just now'],
    [42_000, '42 s ago'],
    [60_000, '1 min ago'],
    [12 * 60_000 + 59_000, '12 min ago'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 05 min ago'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatAgo(ms)).toBe(text);
  });
});

describe('timestamps no date can represent', () => {
  it.each([1e300, -1e300, 8.64e15 + 1])('%d is shown, never thrown on', (ts) => {
    expect(formatClock(ts)).toBe('--:--:--.---');
    expect(formatTimeOfDay(ts)).toBe('--:--:--');
    expect(formatIso(ts)).toBe(`invalid-time(${ts})`);
    expect(formatUtcClock(ts)).toBe('invalid time');
  });

  it('formats a valid time in UTC to the millisecond', () => {
    expect(formatUtcClock(Date.UTC(2024, 4, 1, 12, 0, 3, 5))).toBe('12:00:03.005');
  });
});
