import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { forEachCandidateLine } from '../../../lib/candidate-lines.js';

function candidates(pattern: string, text: string): string[] {
  const body = Buffer.from(text);
  const found: string[] = [];
  forEachCandidateLine(new RE2(pattern, 'gm'), body, (start, end) => found.push(body.toString('utf8', start, end)));
  return found;
}

describe('forEachCandidateLine', () => {
  it('visits each line with a match once, in order, however many matches it holds', () => {
    expect(candidates('ERR', 'ok\nERR one ERR two\nfine\nan ERR\n')).toEqual(['ERR one ERR two', 'an ERR']);
  });

  it('visits nothing when nothing matches, and not the empty "line" after the last newline', () => {
    expect(candidates('zzz', 'a\nb\n')).toEqual([]);
    expect(candidates('^$', 'a\n')).toEqual([]);
  });

  it('reports a last line without a newline up to the end of the body', () => {
    expect(candidates('token', 'a\nthe token=abc')).toEqual(['the token=abc']);
  });
});
