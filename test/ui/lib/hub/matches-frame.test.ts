import { describe, expect, it } from 'vitest';
import { matchesSchema } from '../../../../protocol/index.js';
import { decodeMatches, isMatchesFrame } from '../../../../ui/src/lib/hub/matches-frame.js';

const goodLine = { id: 'l1', host: 'web-1', file: '/var/log/app.log', ts: 1_700_000_000_000, line: 'GET / status=500', ranges: [[6, 16]] };
const frame = (lines: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'matches', sub: 'p1', lines, ...extra });

describe('decodeMatches', () => {
  it('accepts what the protocol schema accepts, lines untouched', () => {
    const raw = frame([goodLine, { ...goodLine, id: 'l2', truncated: true, eventTs: 1_699_999_999_000, ranges: [] }], { backlog: true });
    const decoded = decodeMatches(raw);
    expect(decoded).toEqual({ ok: true, value: matchesSchema.parse(raw) });
    expect(decoded.ok && decoded.value.lines[0]).toBe(raw.lines[0]);
  });

  it.each([
    ['a line that is not an object', 'x'],
    ['a missing id', { ...goodLine, id: undefined }],
    ['a numeric host', { ...goodLine, host: 7 }],
    ['a string timestamp', { ...goodLine, ts: '1' }],
    ['a string event time', { ...goodLine, eventTs: '1' }],
    ['a null event time', { ...goodLine, eventTs: null }],
    ['a non-boolean truncated', { ...goodLine, truncated: 'yes' }],
    ['ranges that are not an array', { ...goodLine, ranges: {} }],
    ['a range of three numbers', { ...goodLine, ranges: [[1, 2, 3]] }],
    ['a negative range end', { ...goodLine, ranges: [[1, -2]] }],
    ['a fractional range start', { ...goodLine, ranges: [[1.5, 2]] }],
  ])('refuses the whole frame for %s, as the schema does', (_name, bad) => {
    const raw = frame([goodLine, bad]);
    expect(matchesSchema.safeParse(raw).success).toBe(false);
    expect(decodeMatches(raw)).toMatchObject({ ok: false, error: expect.stringContaining('lines[1]') });
  });

  it('checks the envelope with the schema', () => {
    expect(decodeMatches(frame([goodLine], { sub: 3 })).ok).toBe(false);
    expect(decodeMatches(frame([goodLine], { backlog: 'no' })).ok).toBe(false);
    expect(decodeMatches({ type: 'matches', sub: 'p1' }).ok).toBe(false);
  });

  it('recognizes matches frames by their type only', () => {
    expect(isMatchesFrame(frame([]))).toBe(true);
    expect(isMatchesFrame({ type: 'dropped' })).toBe(false);
    expect(isMatchesFrame(null)).toBe(false);
    expect(isMatchesFrame('matches')).toBe(false);
  });
});
