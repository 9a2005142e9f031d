import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lazy } from '../../../helpers/lazy.js';
import { silentLogger } from '../../../../lib/logger.js';
import { parseToken } from '../../../../lib/tokens.js';
import { Authenticator, type AccessConfig, type Credentials } from '../../../../server/access/authenticator.js';
import { proxyAuthSchema } from '../../../../server/access/proxy-auth.js';

const tokens = (): AccessConfig => ({
  agentTokens: [parseToken('agents:agent-secret')],
  viewerTokens: [parseToken('alice:viewer-secret'), parseToken('bare-viewer-secret')],
  editorTokens: [parseToken('ci:editor-secret')],
  trustedProxies: ['10.0.0.0/8'],
  proxyAuth: proxyAuthSchema.parse({ editors: ['erin'] }),
});

function request(headers: IncomingHttpHeaders, remoteAddress = '127.0.0.1') {
  return { headers, socket: { remoteAddress } };
}

describe('Authenticator.reader: viewers and editors', () => {
  const access = lazy(() => new Authenticator(tokens(), silentLogger()));

  it.each<[string, IncomingHttpHeaders, string, Credentials]>([
    ['nothing', {}, '127.0.0.1', { kind: 'none' }],
    ['a viewer token', { authorization: 'Bearer viewer-secret' }, '127.0.0.1', { kind: 'identified', identity: { name: 'alice', role: 'viewer', via: 'token' } }],
    ['scheme in any case', { authorization: 'bearer viewer-secret' }, '127.0.0.1', { kind: 'identified', identity: { name: 'alice', role: 'viewer', via: 'token' } }],
    ['an editor token', { authorization: 'Bearer editor-secret' }, '127.0.0.1', { kind: 'identified', identity: { name: 'ci', role: 'editor', via: 'token' } }],
    ['a wrong token', { authorization: 'Bearer nope' }, '127.0.0.1', { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message: 'the token is not valid' }],
    ['another scheme', { authorization: 'Basic dmlld2VyLXNlY3JldA==' }, '127.0.0.1', { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message: 'the token is not valid' }],
    [
      'an agent token (agents never read)',
      { authorization: 'Bearer agent-secret' },
      '127.0.0.1',
      { kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN', message: 'this is an agent token: agents can send lines but never read them' },
    ],
    ['a proxy user from a trusted proxy', { 'x-forwarded-user': 'dave' }, '10.1.2.3', { kind: 'identified', identity: { name: 'dave', role: 'viewer', via: 'proxy' } }],
    ['a proxy editor', { 'x-forwarded-user': 'erin' }, '::ffff:10.1.2.3', { kind: 'identified', identity: { name: 'erin', role: 'editor', via: 'proxy' } }],
    [
      'the proxy identity wins over a bearer header it passed along',
      { 'x-forwarded-user': 'dave', authorization: 'Bearer editor-secret' },
      '10.1.2.3',
      { kind: 'identified', identity: { name: 'dave', role: 'viewer', via: 'proxy' } },
    ],
    [
      'identity headers from an untrusted address, even with a valid token',
      { 'x-forwarded-user': 'erin', authorization: 'Bearer editor-secret' },
      '127.0.0.1',
      { kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN', message: 'identity headers are accepted only from the reverse proxies listed in trustedProxies' },
    ],
  ])('%s', (_name, headers, remote, expected) => {
    expect(access().reader(request(headers, remote))).toEqual(expected);
  });

  it('never says anything of the secret it was given', () => {
    const refused = access().reader(request({ authorization: 'Bearer nope-secret-123' }));
    expect(JSON.stringify(refused)).not.toContain('nope-secret-123');
  });

  it('accepts tokens in a hello, but never an agent token', () => {
    expect(access().hello('viewer-secret')).toEqual({ kind: 'identified', identity: { name: 'alice', role: 'viewer', via: 'token' } });
    expect(access().hello('editor-secret')).toMatchObject({ kind: 'identified', identity: { role: 'editor' } });
    expect(access().hello('agent-secret')).toMatchObject({ kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN' });
    expect(access().hello(undefined)).toMatchObject({ kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED' });
    expect(access().hello('wrong')).toMatchObject({ kind: 'refused', status: 401 });
    expect(access().anonymous()).toBeUndefined();
  });

  it('logs identity headers from untrusted addresses, at most once a minute', () => {
    const lines: string[] = [];
    let now = 0;
    const logger = silentLogger();
    logger.warn = ((...args: unknown[]) => lines.push(JSON.stringify(args))) as typeof logger.warn;
    const watched = new Authenticator(tokens(), logger, () => now);
    for (let i = 0; i < 5; i += 1) watched.reader(request({ 'x-forwarded-user': 'erin' }, '203.0.113.5'));
    now = 60_000;
    watched.reader(request({ 'x-forwarded-user': 'erin' }, '203.0.113.5'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('203.0.113.5');
    expect(lines[1]).toContain('"suppressedSinceLast":4');
  });
});

describe('Authenticator.agent', () => {
  const access = lazy(() => new Authenticator(tokens(), silentLogger()));

  it.each<[string, IncomingHttpHeaders, unknown]>([
    ['an agent token', { authorization: 'Bearer agent-secret' }, { kind: 'agent', name: 'agents' }],
    ['no token', {}, { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message: 'agent token missing or not valid' }],
    ['a wrong token', { authorization: 'Bearer nope' }, { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message: 'agent token missing or not valid' }],
    [
      'a viewer token (viewers never ingest)',
      { authorization: 'Bearer viewer-secret' },
      { kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN', message: 'this is a viewer or editor token: only agent tokens may send lines' },
    ],
    ['an editor token', { authorization: 'Bearer editor-secret' }, { kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN', message: expect.any(String) }],
    ['a trusted proxy user without an agent token', { 'x-forwarded-user': 'erin' }, { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message: expect.any(String) }],
  ])('%s', (_name, headers, expected) => {
    expect(access().agent(request(headers, '10.0.0.1'))).toEqual(expected);
  });
});

describe('Authenticator on an open hub (loopback, no reader credentials)', () => {
  const open = lazy(
    () => new Authenticator({ agentTokens: [parseToken('agent-secret')], viewerTokens: [], editorTokens: [], trustedProxies: [] }, silentLogger()),
  );

  it('makes anonymous readers editors and ignores unknown bearer tokens', () => {
    expect(open().readersNeedCredentials).toBe(false);
    expect(open().anonymous()).toEqual({ name: undefined, role: 'editor', via: 'open' });
    expect(open().reader(request({ authorization: 'Bearer whatever' }))).toEqual({ kind: 'none' });
    expect(open().hello('whatever')).toEqual({ kind: 'identified', identity: { name: undefined, role: 'editor', via: 'open' } });
  });

  it('still refuses an agent token for reading', () => {
    expect(open().reader(request({ authorization: 'Bearer agent-secret' }))).toMatchObject({ kind: 'refused', status: 403 });
    expect(open().hello('agent-secret')).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('ignores identity headers when proxyAuth is not configured', () => {
    expect(open().reader(request({ 'x-forwarded-user': 'mallory' }))).toEqual({ kind: 'none' });
  });

  it('takes agents without tokens only when none are configured, but never a viewer token', () => {
    const noAgentTokens = new Authenticator({ agentTokens: [], viewerTokens: [parseToken('v')], editorTokens: [], trustedProxies: [] }, silentLogger());
    expect(noAgentTokens.agent(request({}))).toEqual({ kind: 'agent', name: undefined });
    expect(noAgentTokens.agent(request({ authorization: 'Bearer v' }))).toMatchObject({ kind: 'refused', status: 403 });
  });
});

describe('Authenticator, more cases', () => {
  const none: AccessConfig = { agentTokens: [], viewerTokens: [], editorTokens: [], trustedProxies: [] };

  it.each<[string, AccessConfig, boolean]>([
    ['nothing', none, false],
    ['viewer tokens', { ...none, viewerTokens: [parseToken('v')] }, true],
    ['editor tokens', { ...none, editorTokens: [parseToken('e')] }, true],
    ['proxy identities', { ...none, proxyAuth: proxyAuthSchema.parse({}) }, true],
    ['agent tokens only', { ...none, agentTokens: [parseToken('a')] }, false],
  ])('readers need credentials with %s: %s', (_name, config, expected) => {
    expect(new Authenticator(config, silentLogger()).readersNeedCredentials).toBe(expected);
  });

  it('refuses what a trusted proxy says when it names no user, and ignores an empty user header', () => {
    const access = new Authenticator({ ...tokens(), proxyAuth: proxyAuthSchema.parse({ groupsHeader: 'X-Forwarded-Groups' }) }, silentLogger());
    expect(access.reader(request({ 'x-forwarded-groups': 'sre' }, '10.0.0.1'))).toEqual({
      kind: 'refused',
      status: 403,
      code: 'SG_ERR_FORBIDDEN',
      message: 'a groups header came without x-forwarded-user',
    });
    expect(access.reader(request({ 'x-forwarded-user': '  ' }, '10.0.0.1'))).toEqual({ kind: 'none' });
    expect(access.reader(request({ authorization: '' }))).toEqual({ kind: 'none' });
  });

  it('explains its refusals of a hello', () => {
    const access = new Authenticator(tokens(), silentLogger());
    expect(access.hello('agent-secret')).toMatchObject({ message: 'this is an agent token: agents can send lines but never read them' });
    expect(access.hello('wrong')).toMatchObject({ message: 'a valid viewer or editor token is required' });
  });

  it('says why it refuses identity headers from an untrusted address', () => {
    const messages: unknown[] = [];
    const logger = silentLogger();
    logger.warn = ((...args: unknown[]) => messages.push(args[1])) as typeof logger.warn;
    new Authenticator(tokens(), logger).reader(request({ 'x-forwarded-user': 'erin' }, '203.0.113.5'));
    expect(messages).toEqual(['identity header from an address not in trustedProxies; request refused']);
  });
});
