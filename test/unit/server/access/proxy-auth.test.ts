import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lazy } from '../../../helpers/lazy.js';
import { proxyAuthSchema, proxyIdentity, type ProxyIdentity } from '../../../../server/access/proxy-auth.js';

const config = lazy(() =>
  proxyAuthSchema.parse({
    userHeader: 'X-Forwarded-User',
    emailHeader: 'X-Forwarded-Email',
    groupsHeader: 'X-Forwarded-Groups',
    defaultRole: 'viewer',
    editors: ['Alice'],
    viewers: ['bob@example.com'],
    editorGroups: ['sre'],
    viewerGroups: ['contractors'],
  }),
);

describe('proxyIdentity', () => {
  it.each<[string, IncomingHttpHeaders, ProxyIdentity]>([
    ['no identity headers', {}, { kind: 'absent' }],
    ['an editor by name, in any case', { 'x-forwarded-user': 'alice' }, { kind: 'user', name: 'alice', role: 'editor' }],
    ['anyone else gets the default role', { 'x-forwarded-user': 'carol' }, { kind: 'user', name: 'carol', role: 'viewer' }],
    ['an editor by group', { 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'dev, SRE' }, { kind: 'user', name: 'dan', role: 'editor' }],
    ['named by e-mail when there is no user header', { 'x-forwarded-email': 'bob@example.com' }, { kind: 'user', name: 'bob@example.com', role: 'viewer' }],
    ['editor wins over viewer', { 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'contractors' }, { kind: 'user', name: 'alice', role: 'editor' }],
  ])('%s', (_name, headers, expected) => {
    expect(proxyIdentity(headers, config())).toEqual(expected);
  });

  it.each<[string, IncomingHttpHeaders, RegExp]>([
    ['two user values (a client header the proxy appended to)', { 'x-forwarded-user': 'mallory, alice' }, /more than one value/],
    ['control characters', { 'x-forwarded-user': 'eve\u0007' }, /more than one value or characters/],
    ['groups without a user', { 'x-forwarded-groups': 'sre' }, /groups header came without/],
  ])('refuses %s', (_name, headers, message) => {
    const found = proxyIdentity(headers, config());
    expect(found.kind).toBe('refused');
    expect(found.kind === 'refused' && found.message).toMatch(message);
  });

  it('refuses users without a role when defaultRole is none', () => {
    const strict = proxyAuthSchema.parse({ defaultRole: 'none', viewers: ['bob'] });
    expect(proxyIdentity({ 'x-forwarded-user': 'bob' }, strict)).toEqual({ kind: 'user', name: 'bob', role: 'viewer' });
    expect(proxyIdentity({ 'x-forwarded-user': 'eve' }, strict)).toMatchObject({ kind: 'refused', message: expect.stringMatching(/eve has no role/) });
  });
});

describe('proxyAuthSchema', () => {
  it('defaults to X-Forwarded-User, viewers, and no lists', () => {
    expect(proxyAuthSchema.parse({})).toEqual({ userHeader: 'x-forwarded-user', defaultRole: 'viewer', editors: [], viewers: [], editorGroups: [], viewerGroups: [] });
  });

  it.each([' X-User', 'X-User ', 'X User', '', 'X-User:'])('refuses the header name %j', (name) => {
    const parsed = proxyAuthSchema.safeParse({ userHeader: name });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('expected an HTTP header name');
  });

  it('takes header names in any case and stores them in lower case', () => {
    expect(proxyAuthSchema.parse({ userHeader: 'X-Auth-Request-User', defaultRole: 'none' })).toMatchObject({ userHeader: 'x-auth-request-user', defaultRole: 'none' });
    expect(proxyAuthSchema.parse({ defaultRole: 'editor' }).defaultRole).toBe('editor');
    expect(proxyAuthSchema.safeParse({ defaultRole: 'admin' }).success).toBe(false);
    expect(proxyAuthSchema.safeParse({ editors: [''] }).success).toBe(false);
  });
});

describe('proxyIdentity, header values', () => {
  it.each<[string, IncomingHttpHeaders, ProxyIdentity['kind'], string | undefined]>([
    ['a user header of spaces only', { 'x-forwarded-user': '   ' }, 'absent', undefined],
    ['a user name with spaces around it', { 'x-forwarded-user': ' Alice ' }, 'user', 'Alice'],
    ['a repeated user header', { 'x-forwarded-user': ['alice', 'bob'] }, 'refused', undefined],
    ['a user name of 1024 characters', { 'x-forwarded-user': 'u'.repeat(1024) }, 'user', 'u'.repeat(1024)],
    ['a user name of 1025 characters', { 'x-forwarded-user': 'u'.repeat(1025) }, 'refused', undefined],
    ['groups of 8192 characters', { 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'g'.repeat(8192) }, 'user', 'dan'],
    ['groups of 8193 characters', { 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'g'.repeat(8193) }, 'refused', undefined],
  ])('%s', (_name, headers, kind, name) => {
    const found = proxyIdentity(headers, config());
    expect(found.kind).toBe(kind);
    if (name !== undefined) expect(found).toMatchObject({ name });
  });

  it('finds a listed group among several, and says why it refuses too long a groups header', () => {
    expect(proxyIdentity({ 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'dev, SRE' }, config())).toEqual({ kind: 'user', name: 'dan', role: 'editor' });
    expect(proxyIdentity({ 'x-forwarded-user': 'dan', 'x-forwarded-groups': 'g'.repeat(8193) }, config())).toEqual({ kind: 'refused', message: 'the groups header is too long' });
  });
});
