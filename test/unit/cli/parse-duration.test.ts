import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAge, parseDuration } from '../../../cli/parse-duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    [' 3s ', 3_000],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 's', '0s', '-1s', '10 s', '1w', '1e3s', '30d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
  });
});

describe('parseAge', () => {
  it('takes ages past a timer\'s 24 days', () => {
    expect(parseAge('90d')).toBe(90 * 86_400_000);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
  });

  it.each(['', '7', '0d', '-1d', '1w'])('refuses %j', (text) => {
    expect(() => parseAge(text)).toThrow(InvalidArgumentError);
  });
});
