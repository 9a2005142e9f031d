import { describe, expect, it } from 'vitest';
import { subscribeOverLimit } from '../../../../server/viewers/subscribe-limits.js';

const long = 'a'.repeat(1500);
const longGlob = '*'.repeat(300);
const manyGlobs = Array.from({ length: 40 }, (_, i) => `web-${i}`);

describe('subscribeOverLimit', () => {
  it.each<[string, unknown, ReturnType<typeof subscribeOverLimit>]>([
    ['a long query', { type: 'subscribe', sub: 's1', filter: { query: long } }, { sub: 's1', message: 'the pattern is 1500 characters long; the hub accepts at most 1024' }],
    ['a long exclude', { type: 'subscribe', sub: 's2', filter: { query: 'x', exclude: long } }, { sub: 's2', message: expect.stringContaining('1500') }],
    [
      'a long file glob',
      { type: 'subscribe', sub: 's3', filter: { query: '', files: ['*.log', longGlob] } },
      { sub: 's3', message: 'a host or file glob is 300 characters long; the hub accepts at most 256' },
    ],
    ['a long host glob', { type: 'subscribe', sub: 's4', filter: { query: '', hosts: [longGlob] } }, { sub: 's4', message: expect.stringContaining('300 characters') }],
    [
      'too many host globs',
      { type: 'subscribe', sub: 's5', filter: { query: '', hosts: manyGlobs } },
      { sub: 's5', message: 'a host or file list has 40 globs; the hub accepts at most 32' },
    ],
    ['too many file globs', { type: 'subscribe', sub: 's6', filter: { query: '', files: manyGlobs } }, { sub: 's6', message: expect.stringContaining('40 globs') }],
    ['a long namespace glob', { type: 'subscribe', sub: 's7', filter: { query: '', namespaces: [longGlob] } }, { sub: 's7', message: expect.stringContaining('300 characters') }],
    ['a long pod glob', { type: 'subscribe', sub: 's8', filter: { query: '', pods: [longGlob] } }, { sub: 's8', message: expect.stringContaining('300 characters') }],
    ['too many container globs', { type: 'subscribe', sub: 's9', filter: { query: '', containers: manyGlobs } }, { sub: 's9', message: expect.stringContaining('40 globs') }],
    ['globs within the limits (refused for another reason)', { type: 'subscribe', sub: 's1', filter: { query: 1, hosts: ['a'.repeat(256)] } }, undefined],
    ['short patterns (refused for another reason)', { type: 'subscribe', sub: 's1', filter: { query: 1 } }, undefined],
    ['no usable sub', { type: 'subscribe', sub: '', filter: { query: long } }, undefined],
    ['another message type', { type: 'context', sub: 's1', filter: { query: long } }, undefined],
  ])('%s', (_name, message, expected) => {
    expect(subscribeOverLimit(JSON.stringify(message))).toEqual(expected);
  });

  it('ignores text that is not JSON', () => {
    expect(subscribeOverLimit('{nope')).toBeUndefined();
  });
});
