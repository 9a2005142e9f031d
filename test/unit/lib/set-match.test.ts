import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { matchingPatterns } from '../../../lib/set-match.js';

const PATTERNS = ['ERROR', 'status=5\\d\\d', '^GET '];
const singles = () => PATTERNS.map((pattern) => new RE2(pattern, 'g'));

/** A Set that gives up the way RE2.Set does when its DFA runs out of memory. */
const givingUpSet = {
  match: () => {
    throw new Error('RE2::Set::Match() failed: DFA out of memory');
  },
} as unknown as InstanceType<typeof RE2.Set>;

describe('matchingPatterns', () => {
  const lines = ['GET /a status=503 ERROR', 'POST /b status=200', 'GET /c status=200', Buffer.from('ERROR in worker')];

  it('names every pattern that matches, through the Set', () => {
    const set = new RE2.Set(PATTERNS, 'u');
    expect(lines.map((line) => [...matchingPatterns(set, singles(), line)])).toEqual([[0, 1, 2], [], [2], [0]]);
  });

  it('gives the same answer pattern by pattern when the Set gives up, whatever lastIndex the singles were left at', () => {
    const regexes = singles();
    for (const regex of regexes) regex.lastIndex = 100;
    expect(lines.map((line) => [...matchingPatterns(givingUpSet, regexes, line)])).toEqual([[0, 1, 2], [], [2], [0]]);
  });
});
