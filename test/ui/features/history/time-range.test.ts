import { describe, expect, it } from 'vitest';
import { formatLocalInput, parseLocalInput, resolveRange } from '../../../../ui/src/features/history/time-range.js';

const NOW = new Date(2026, 11, 7, 10, 30, 0).getTime();

describe('time ranges', () => {
  it('ends a "last" range now', () => {
    expect(resolveRange({ kind: 'last', ms: 15 * 60_000 }, NOW)).toEqual({ from: NOW - 900_000, to: NOW, label: 'Last 15 min' });
    expect(resolveRange({ kind: 'last', ms: 24 * 3_600_000 }, NOW)).toMatchObject({ from: NOW - 86_400_000, label: 'Last 24 h' });
  });

  it('takes 15 min before a deploy to 30 min after it', () => {
    const startedAt = NOW - 3_600_000;
    expect(resolveRange({ kind: 'deploy', deploy: { label: 'web v1.2.3', startedAt } }, NOW)).toEqual({
      from: startedAt - 900_000,
      to: startedAt + 1_800_000,
      label: 'Around deploy web v1.2.3 (09:30:00)',
    });
  });

  it('reads and writes datetime-local values in local time, refusing dates that do not exist', () => {
    expect(formatLocalInput(NOW)).toBe('2026-12-07T10:30:00');
    expect(parseLocalInput('2026-12-07T10:30:00')).toBe(NOW);
    expect(parseLocalInput('2026-12-07T10:30')).toBe(NOW);
    expect(parseLocalInput('2026-12-07T10:30:00.5')).toBe(NOW + 500);
    expect(parseLocalInput('2026-02-31T10:30')).toBeUndefined();
    expect(parseLocalInput('')).toBeUndefined();
    expect(parseLocalInput('yesterday')).toBeUndefined();
  });
});
