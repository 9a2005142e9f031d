import { describe, expect, it } from 'vitest';
import { overlongPattern } from '../../../../server/viewers/subscribe-limits.js';

const long = 'a'.repeat(1500);

describe('overlongPattern', () => {
  it.each<[string, unknown, ReturnType<typeof overlongPattern>]>([
    ['a long query', { type: 'subscribe', sub: 's1', filter: { query: long } }, { sub: 's1', message: 'the pattern is 1500 characters long; the hub accepts at most 1024' }],
    ['a long exclude', { type: 'subscribe', sub: 's2', filter: { query: 'x', exclude: long } }, { sub: 's2', message: expect.stringContaining('1500') }],
    ['short patterns (refused for another reason)', { type: 'subscribe', sub: 's1', filter: { query: 1 } }, undefined],
    ['no usable sub', { type: 'subscribe', sub: '', filter: { query: long } }, undefined],
    ['another message type', { type: 'context', sub: 's1', filter: { query: long } }, undefined],
  ])('%s', (_name, message, expected) => {
    expect(overlongPattern(JSON.stringify(message))).toEqual(expected);
  });

  it('ignores text that is not JSON', () => {
    expect(overlongPattern('{nope')).toBeUndefined();
  });
});
