import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { proxyAuthSchema, proxyIdentity, type ProxyIdentity } from '../../../../server/access/proxy-auth.js';

const config = proxyAuthSchema.parse({
  userHeader: 'X-Forwarded-User',
  emailHeader: 'X-Forwarded-Email',
  groupsHeader: 'X-Forwarded-Groups',
  defaultRole: 'viewer',
  editors: ['Alice'],
  viewers: ['bob@example.com'],
  editorGroups: ['sre'],
  viewerGroups: ['contractors'],
});

describe('proxyIdentity', () => {
  it.each<[string, IncomingHttpHeaders, ProxyIdentity]>([
    ['no identity headers', {}, { kind: 'absent' }],
    ['an editor by name, in any case', { 'x-forwarded-user': 'alice' }, { kind: 'user', name: 'alice', role: 'editor' }],
    ['anyone else gets the default role', { 'x-forwarded-user': 'carol' }, { kind: 'user', name: 'carol', role: 'viewer' }],
    ['an editor by group', { 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'dev, SRE' }, { kind: 'user', name: 'dan', role: 'editor' }],
    ['named by e-mail when there is no user header', { 'x-forwarded-email': 'bob@example.com' }, { kind: 'user', name: 'bob@example.com', role: 'viewer' }],
    ['editor wins over viewer', { 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'contractors' }, { kind: 'user', name: 'alice', role: 'editor' }],
  ])('%s', (_name, headers, expected) => {
    expect(proxyIdentity(headers, config)).toEqual(expected);
  });

  it.each<[string, IncomingHttpHeaders, RegExp]>([
    ['two user values (a client header the proxy appended to)', { 'x-forwarded-user': 'mallory, alice' }, /more than one value/],
    ['control characters', { 'x-forwarded-user': 'eve\u0007' }, /more than one value or characters/],
    ['groups without a user', { 'x-forwarded-groups': 'sre' }, /groups header came without/],
  ])('refuses %s', (_name, headers, message) => {
    const found = proxyIdentity(headers, config);
    expect(found.kind).toBe('refused');
    expect(found.kind === 'refused' && found.message).toMatch(message);
  });

  it('refuses users without a role when defaultRole is none', () => {
    const strict = proxyAuthSchema.parse({ defaultRole: 'none', viewers: ['bob'] });
    expect(proxyIdentity({ 'x-forwarded-user': 'bob' }, strict)).toEqual({ kind: 'user', name: 'bob', role: 'viewer' });
    expect(proxyIdentity({ 'x-forwarded-user': 'eve' }, strict)).toMatchObject({ kind: 'refused', message: expect.stringMatching(/eve has no role/) });
  });
});
