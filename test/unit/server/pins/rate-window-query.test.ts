import { describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../../server/api/api-failure.js';
import { rateWindowStart } from '../../../../server/pins/rate-window-query.js';

const NOW = 1_764_190_000_000;
const DAY_MS = 24 * 60 * 60_000;

function failure(query: Record<string, unknown>): ApiFailure {
  try {
    rateWindowStart(query, NOW, DAY_MS);
  } catch (err) {
    if (err instanceof ApiFailure) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('rate window query', () => {
  it('defaults to the last hour', () => {
    expect(rateWindowStart({}, NOW, DAY_MS)).toBe(NOW - 60 * 60_000);
  });

  it('takes ?minutes= up to the retention', () => {
    expect(rateWindowStart({ minutes: '5' }, NOW, DAY_MS)).toBe(NOW - 5 * 60_000);
    expect(rateWindowStart({ minutes: '1440' }, NOW, DAY_MS)).toBe(NOW - DAY_MS);
  });

  it('takes ?since= and clamps it to the retention and to now', () => {
    expect(rateWindowStart({ since: String(NOW - 1000) }, NOW, DAY_MS)).toBe(NOW - 1000);
    expect(rateWindowStart({ since: '0' }, NOW, DAY_MS)).toBe(NOW - DAY_MS);
    expect(rateWindowStart({ since: String(NOW + 99_000) }, NOW, DAY_MS)).toBe(NOW);
  });

  it.each([
    [{ minutes: '0' }, /^minutes: expected a whole number of minutes from 1 to 1440, got 0$/],
    [{ minutes: '1441' }, /^minutes: .*got 1441$/],
    [{ minutes: '1.5' }, /^minutes: expected a whole number of minutes from 1 to 1440, got "1.5"$/],
    [{ minutes: ['1', '2'] }, /^minutes: give it once/],
    [{ since: 'yesterday' }, /^since: expected milliseconds since the Unix epoch, got "yesterday"$/],
    [{ since: '-5' }, /^since: /],
    [{ since: '1', minutes: '1' }, /^minutes, since: give one of them, not both$/],
  ])('refuses %j with 400 SG_ERR_BAD_REQUEST', (query, message) => {
    const refused = failure(query);
    expect([refused.status, refused.code]).toEqual([400, 'SG_ERR_BAD_REQUEST']);
    expect(refused.message).toMatch(message);
  });
});
