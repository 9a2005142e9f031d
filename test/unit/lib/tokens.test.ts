import { describe, expect, it } from 'vitest';
import { bearerToken, findToken, parseToken, parseTokenList } from '../../../lib/tokens.js';

describe('tokens', () => {
  it('names a token given as name:secret', () => {
    expect(parseToken('alice:s3cret')).toEqual({ name: 'alice', secret: 's3cret' });
  });

  it('names a bare secret by a digest that does not reveal it', () => {
    const token = parseToken('s3cret-value');
    expect(token.secret).toBe('s3cret-value');
    expect(token.name).toMatch(/^token-[0-9a-f]{8}$/);
    expect(token.name).not.toContain('s3cret');
  });

  it('splits comma-separated lists and ignores empty items', () => {
    expect(parseTokenList(' a:1, ,b:2 ').map((t) => t.name)).toEqual(['a', 'b']);
    expect(parseTokenList(undefined)).toEqual([]);
  });

  it('finds only exact secrets', () => {
    const tokens = parseTokenList('a:one,b:two');
    expect(findToken(tokens, 'two')?.name).toBe('b');
    expect(findToken(tokens, 'tw')).toBeUndefined();
    expect(findToken(tokens, 'two ')).toBeUndefined();
    expect(findToken(tokens, '')).toBeUndefined();
    expect(findToken(tokens, undefined)).toBeUndefined();
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Basic abc', undefined],
    [undefined, undefined],
  ])('reads the bearer token from %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
