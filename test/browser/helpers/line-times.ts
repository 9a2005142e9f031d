import { expect } from 'vitest';
import type { MatchedLine } from '../../../protocol/index.js';
import { api } from '../../helpers/http-api.js';

/**
 * The times the hub gave the lines matching `query` in the last hour, oldest first: what history
 * search and a pin's counts go by, so a test can compute which bar or range holds them.
 */
export async function lineTimes(hubUrl: string, query: string): Promise<{ text: string; ts: number }[]> {
  const answer = await api(hubUrl, 'GET', `/api/search?q=${encodeURIComponent(query)}&order=asc&from=1h`);
  expect(answer.status).toBe(200);
  return answer.text
    .split('\n')
    .filter((record) => record.trim() !== '')
    .map((record) => JSON.parse(record) as { type: string; line?: MatchedLine })
    .flatMap((record) => (record.type === 'match' && record.line ? [{ text: record.line.line, ts: record.line.eventTs ?? record.line.ts }] : []));
}
