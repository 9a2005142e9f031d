import { ApiFailure } from '../api/api-failure.js';

/** Default window of GET /api/pins/:id/rate. */
const DEFAULT_RATE_MINUTES = 60;

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', `${name}: give it once, as a number`);
  return value;
}

function wholeNumber(text: string, name: string, expected: string): number {
  if (!/^\d{1,16}$/.test(text)) throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', `${name}: expected ${expected}, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/**
 * The start of a rate window from `?minutes=` (the last N minutes, 1 up to the retention) or
 * `?since=` (ms since the epoch, clamped to the retention: older counts are gone). Default: the last
 * hour. The window always ends now.
 */
export function rateWindowStart(query: Record<string, unknown>, nowMs: number, retentionMs: number): number {
  const minutesText = single(query.minutes, 'minutes');
  const sinceText = single(query.since, 'since');
  if (minutesText !== undefined && sinceText !== undefined) {
    throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', 'minutes, since: give one of them, not both');
  }
  const oldest = nowMs - retentionMs;
  if (sinceText !== undefined) {
    const since = wholeNumber(sinceText, 'since', 'milliseconds since the Unix epoch');
    return Math.min(Math.max(since, oldest), nowMs);
  }
  const maxMinutes = Math.floor(retentionMs / 60_000);
  const minutes = minutesText === undefined ? DEFAULT_RATE_MINUTES : wholeNumber(minutesText, 'minutes', `a whole number of minutes from 1 to ${maxMinutes}`);
  if (minutes < 1 || minutes > maxMinutes) {
    throw new ApiFailure(400, 'SG_ERR_BAD_REQUEST', `minutes: expected a whole number of minutes from 1 to ${maxMinutes}, got ${minutes}`);
  }
  return nowMs - minutes * 60_000;
}
