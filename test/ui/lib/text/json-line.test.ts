import { describe, expect, it, vi } from 'vitest';
import { hasTrailingJson, mayContainJson, prettyJson } from '../../../../ui/src/lib/text/json-line.js';

describe('json lines', () => {
  it('pretty-prints a whole-line JSON object', () => {
    expect(prettyJson('{"a":1,"b":[true,null]}')).toBe('{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}');
  });

  it('keeps a prefix before the JSON on its own line', () => {
    expect(prettyJson('2024-05-01T12:00:00Z INFO {"msg":"hi"}')).toBe('2024-05-01T12:00:00Z INFO\n{\n  "msg": "hi"\n}');
  });

  it('skips brackets that do not start the value', () => {
    expect(prettyJson('[worker-1] {"ok":true}')).toBe('[worker-1]\n{\n  "ok": true\n}');
  });

  it('returns undefined for lines that only look like JSON', () => {
    expect(prettyJson('{not json}')).toBeUndefined();
    expect(prettyJson('map[a:1 b:{2}]')).toBeUndefined();
    expect(prettyJson('plain text')).toBeUndefined();
  });

  it('offers pretty-printing only for lines whose trailing JSON parses', () => {
    expect(hasTrailingJson('2026-11-27T08:59:59Z INFO [payments] charge ok card=[REDACTED]')).toBe(false);
    expect(hasTrailingJson('user={id} map[a:1]')).toBe(false);
    expect(hasTrailingJson('{"ts":"2026-11-27T08:59:59Z","level":"info","msg":"request metrics"}')).toBe(true);
    expect(hasTrailingJson('2026-11-27T08:59:59Z INFO tags=["a","b"]')).toBe(true);
    expect(hasTrailingJson('plain text')).toBe(false);
  });

  it('gives up after a bounded number of attempts on bracket-heavy lines', () => {
    const hostile = `${'{'.repeat(5000)}}`;
    // Each attempt is one parse of the rest of the line: 16 at most, not one per bracket.
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(prettyJson(hostile)).toBeUndefined();
      expect(parse.mock.calls.length).toBeGreaterThan(0);
      expect(parse.mock.calls.length).toBeLessThanOrEqual(16);
    } finally {
      parse.mockRestore();
    }
  });

  it('mayContainJson is a cheap pre-check on the line end', () => {
    expect(mayContainJson('x {"a":1}  ')).toBe(true);
    expect(mayContainJson('[1,2]')).toBe(true);
    expect(mayContainJson('{"a":1} trailing')).toBe(false);
    expect(mayContainJson('}')).toBe(false);
  });
});
