import { describe, expect, it } from 'vitest';
import { SEARCH_LIMITS } from '../../../../../protocol/index.js';
import { ApiFailure } from '../../../../../server/api/api-failure.js';
import { FilterError } from '../../../../../server/filter/filter-compiler.js';
import { encodeCursor } from '../../../../../server/history/search/line-key.js';
import { parseHistogramQuery, parseSearchQuery } from '../../../../../server/history/search/search-query.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');

function refusal(run: () => unknown): { code: string; message: string; status?: number } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiFailure) return { code: error.code, message: error.message, status: error.status };
    if (error instanceof FilterError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no refusal');
}

describe('parseSearchQuery', () => {
  it('reads every parameter, with repeated globs', () => {
    const cursor = encodeCursor({ time: 5, num: 2, pos: 40 });
    const request = parseSearchQuery({ q: 'err', exclude: 'debug', i: '1', hosts: ['web-*', 'db-{1,2}'], files: '*.log', from: '2h', to: '2026-12-07T11:30:00Z', order: 'asc', limit: '20', cursor }, NOW);
    expect(request.filter.spec).toEqual({ query: 'err', exclude: 'debug', caseInsensitive: true, hosts: ['db-{1,2}', 'web-*'], files: ['*.log'] });
    expect(request.filter.selects('db-2', '/var/log/x.log')).toBe(true);
    expect(request.filter.selects('db-3', '/var/log/x.log')).toBe(false);
    expect(request.window).toEqual({ from: NOW - 7_200_000, to: NOW - 1_800_000 });
    expect(request).toMatchObject({ order: 'asc', limit: 20, cursor: { time: 5, num: 2, pos: 40 } });
  });

  it('defaults to every line, newest first, one default page, no time bounds', () => {
    const request = parseSearchQuery({}, NOW);
    expect(request).toMatchObject({ order: 'desc', limit: SEARCH_LIMITS.defaultLimit, window: { from: undefined, to: undefined }, cursor: undefined });
    expect(request.filter.include).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a pattern RE2 refuses', { q: '(?=x)' }, 'SG_ERR_BAD_REGEX', /lookahead/],
    ['a pattern too expensive for the hub', { q: '(?s).{1000}.{1000}Q' }, 'SG_ERR_TOO_EXPENSIVE', /./],
    ['a too long pattern', { q: 'x'.repeat(2000) }, 'SG_ERR_BAD_REQUEST', /query: the pattern is 2000 characters long/],
    ['a bad glob', { hosts: 'web-[' }, 'SG_ERR_BAD_REQUEST', /invalid host glob/],
    ['a time that is none', { from: 'yesterday' }, 'SG_ERR_BAD_REQUEST', /^from: "yesterday" is not a time/],
    ['from after to', { from: '1h', to: '2h' }, 'SG_ERR_BAD_REQUEST', /^from \(.*\) is after to/],
    ['a limit over the maximum', { limit: String(SEARCH_LIMITS.maxLimit + 1) }, 'SG_ERR_BAD_REQUEST', /^limit: /],
    ['a limit of 0', { limit: '0' }, 'SG_ERR_BAD_REQUEST', /^limit: /],
    ['a limit that is no number', { limit: '1e3' }, 'SG_ERR_BAD_REQUEST', /^limit: expected a whole number/],
    ['an order that is none', { order: 'newest' }, 'SG_ERR_BAD_REQUEST', /^order: /],
    ['a forged cursor', { cursor: Buffer.from('{"v":1,"last":[1,-1,0]}').toString('base64url') }, 'SG_ERR_BAD_REQUEST', /^cursor: not a cursor/],
    ['a repeated pattern', { q: ['a', 'b'] }, 'SG_ERR_BAD_REQUEST', /^q: /],
  ])('refuses %s', (_what, query, code, message) => {
    const refused = refusal(() => parseSearchQuery(query, NOW));
    expect(refused.code).toBe(code);
    expect(refused.message).toMatch(message);
  });
});

describe('parseHistogramQuery', () => {
  it('defaults to the last hour in round buckets', () => {
    const request = parseHistogramQuery({ q: 'x' }, NOW);
    expect(request).toMatchObject({ from: NOW - 3_600_000, to: NOW, step: 60_000 });
  });

  it('takes a step', () => {
    expect(parseHistogramQuery({ from: '10m', step: '10s' }, NOW)).toMatchObject({ from: NOW - 600_000, to: NOW, step: 10_000 });
  });

  it(`refuses more than ${SEARCH_LIMITS.maxHistogramBuckets} buckets with SG_ERR_LIMIT, and a step that is none`, () => {
    expect(refusal(() => parseHistogramQuery({ from: '2h', step: '1s' }, NOW))).toMatchObject({ code: 'SG_ERR_LIMIT', status: 400 });
    expect(parseHistogramQuery({ from: '999s', step: '1s' }, NOW).step).toBe(1_000);
    expect(refusal(() => parseHistogramQuery({ step: 'often' }, NOW))).toMatchObject({ code: 'SG_ERR_BAD_REQUEST', message: expect.stringMatching(/^step: / ) as unknown });
  });
});
