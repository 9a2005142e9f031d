import { describe, expect, it } from 'vitest';
import { formatAgo, formatTimeOfDay } from '../../../../ui/src/lib/text/time-format.js';

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
