import { describe, expect, it } from 'vitest';
import { parseStep, parseTimeBound } from '../../../../protocol/index.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');

describe('parseTimeBound', () => {
  it.each<[string, number | undefined]>([
    ['now', NOW],
    [' now ', NOW],
    ['15m', NOW - 900_000],
    ['2h', NOW - 7_200_000],
    ['7d', NOW - 604_800_000],
    ['1w', NOW - 604_800_000],
    ['30s', NOW - 30_000],
    ['250ms', NOW - 250],
    ['0s', NOW],
    ['2026-12-07T10:22:02Z', Date.parse('2026-12-07T10:22:02Z')],
    ['2026-12-07T10:22:02.5+01:00', Date.parse('2026-12-07T09:22:02.500Z')],
    ['2026-12-07', Date.parse('2026-12-07T00:00:00Z')],
    ['1765103000000', 1_765_103_000_000],
    ['1765103000', 1_765_103_000],
    ['2h ago', undefined],
    ['-2h', undefined],
    ['2x', undefined],
    ['12345', undefined],
    ['2026-13-45T99:00:00Z', undefined],
    ['yesterday', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(parseTimeBound(text, NOW)).toBe(expected);
  });
});

describe('parseStep', () => {
  it.each<[string, number | undefined]>([
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['0s', undefined],
    ['10', undefined],
    ['1.5m', undefined],
    ['-1m', undefined],
  ])('%j', (text, expected) => {
    expect(parseStep(text)).toBe(expected);
  });
});
