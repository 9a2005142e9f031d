import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../../lib/logger.js';
import { parseToken } from '../../../../lib/tokens.js';
import { lazy } from '../../../helpers/lazy.js';
import { Authenticator, type Identity } from '../../../../server/access/authenticator.js';
import { authenticate, guardHost, guardWrites } from '../../../../server/access/http-guards.js';
import { HostCheck } from '../../../../server/access/host-check.js';
import { proxyAuthSchema } from '../../../../server/access/proxy-auth.js';

function fakeResponse(locals: Record<string, unknown> = {}) {
  return {
    locals,
    statusCode: 200,
    body: undefined as unknown,
    headers: {} as Record<string, string>,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    set(name: string, value: string) {
      this.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      this.body = body;
      return this;
    },
  };
}

function run(handler: ReturnType<typeof guardWrites>, req: Partial<Request>, locals: Record<string, unknown> = {}) {
  const res = fakeResponse(locals);
  const next = vi.fn();
  handler({ socket: { remoteAddress: '127.0.0.1' }, ...req } as Request, res as unknown as Response, next);
  return { res, next };
}

const access = lazy(
  () =>
    new Authenticator(
      {
        agentTokens: [parseToken('agent-secret')],
        viewerTokens: [parseToken('alice:viewer-secret')],
        editorTokens: [parseToken('ci:editor-secret')],
        trustedProxies: ['127.0.0.1'],
        proxyAuth: proxyAuthSchema.parse({ editors: ['erin'] }),
      },
      silentLogger(),
    ),
);

describe('authenticate', () => {
  it('records who it is for routes that note createdBy', () => {
    const { res, next } = run(authenticate(access()), { headers: { authorization: 'Bearer editor-secret' } });
    expect(next).toHaveBeenCalled();
    expect(res.locals).toEqual({ identity: { name: 'ci', role: 'editor', via: 'token' }, viewer: 'ci' });
  });

  it.each<[string, IncomingHttpHeaders, number, string]>([
    ['no credentials', {}, 401, 'SG_ERR_UNAUTHORIZED'],
    ['a wrong token', { authorization: 'Bearer nope' }, 401, 'SG_ERR_UNAUTHORIZED'],
    ['an agent token', { authorization: 'Bearer agent-secret' }, 403, 'SG_ERR_FORBIDDEN'],
  ])('answers %s with %i', (_name, headers, status, code) => {
    const { res, next } = run(authenticate(access()), { headers });
    expect(next).not.toHaveBeenCalled();
    expect(res.statusCode).toBe(status);
    expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
    if (status === 401) expect(res.headers['WWW-Authenticate']).toBe('Bearer');
    expect(JSON.stringify(res.body)).not.toMatch(/nope|agent-secret/);
  });
});

const VIEWER: Identity = { name: 'alice', role: 'viewer', via: 'token' };
const EDITOR: Identity = { name: 'ci', role: 'editor', via: 'token' };
const PROXY_EDITOR: Identity = { name: 'erin', role: 'editor', via: 'proxy' };
const OPEN: Identity = { name: undefined, role: 'editor', via: 'open' };
const HOST = { host: 'hub.example:7070' };

describe('guardWrites', () => {
  const guard = guardWrites(['https://dash.example']);

  it.each<[string, string, Identity, IncomingHttpHeaders, number | 'next']>([
    ['a viewer reads', 'GET', VIEWER, HOST, 'next'],
    ['a viewer posts', 'POST', VIEWER, HOST, 403],
    ['a viewer deletes', 'DELETE', VIEWER, HOST, 403],
    ['a viewer puts', 'PUT', VIEWER, HOST, 403],
    ['an editor token posts, even cross-site (tokens are never ambient)', 'POST', EDITOR, { ...HOST, origin: 'https://evil.example' }, 'next'],
    ['a proxy editor posts with the CSRF header from the hub’s page', 'POST', PROXY_EDITOR, { ...HOST, origin: 'http://hub.example:7070', 'x-supergrep-csrf': '1' }, 'next'],
    ['a proxy editor posts without the CSRF header', 'POST', PROXY_EDITOR, { ...HOST, origin: 'http://hub.example:7070' }, 403],
    ['a proxy editor posts from another site, header or not', 'POST', PROXY_EDITOR, { ...HOST, origin: 'https://evil.example', 'x-supergrep-csrf': '1' }, 403],
    ['a proxy editor deletes with Sec-Fetch-Site: cross-site', 'DELETE', PROXY_EDITOR, { ...HOST, 'sec-fetch-site': 'cross-site', 'x-supergrep-csrf': '1' }, 403],
    ['a proxy editor posts from an allowed origin', 'POST', PROXY_EDITOR, { ...HOST, origin: 'https://dash.example', 'x-supergrep-csrf': '1' }, 'next'],
    ['an open hub takes curl (no Origin)', 'POST', OPEN, HOST, 'next'],
    ['an open hub refuses another site’s page', 'POST', OPEN, { ...HOST, origin: 'https://evil.example' }, 403],
  ])('%s', (_name, method, identity, headers, expected) => {
    const { res, next } = run(guard, { method, headers }, { identity });
    if (expected === 'next') {
      expect(next).toHaveBeenCalled();
    } else {
      expect(next).not.toHaveBeenCalled();
      expect(res.statusCode).toBe(expected);
      expect(res.body).toMatchObject({ error: { code: 'SG_ERR_FORBIDDEN' } });
    }
  });

  it('tells a viewer why it may not', () => {
    const { res } = run(guard, { method: 'POST', headers: HOST }, { identity: VIEWER });
    expect(res.body).toMatchObject({ error: { message: expect.stringMatching(/alice may read but not change anything: POST needs an editor/) } });
  });
});

describe('guardHost', () => {
  const hosts = new HostCheck({ host: '127.0.0.1', allowedHosts: [], trustedProxies: [], loopback: true });

  it('lets the hub’s own names through and answers others with 421', () => {
    const ok = run(guardHost(hosts), { headers: { host: 'localhost:7070' } });
    expect(ok.next).toHaveBeenCalled();
    const rebound = run(guardHost(hosts), { headers: { host: 'evil.example:7070' } });
    expect(rebound.next).not.toHaveBeenCalled();
    expect(rebound.res.statusCode).toBe(421);
    expect(rebound.res.body).toEqual({ error: { code: 'SG_ERR_FORBIDDEN', message: expect.stringContaining('evil.example') } });
  });
});

describe('authenticate and guardWrites, answers', () => {
  it('makes an anonymous reader of an open hub an editor', () => {
    const open = new Authenticator({ agentTokens: [], viewerTokens: [], editorTokens: [], trustedProxies: [] }, silentLogger());
    const { res, next } = run(authenticate(open), { headers: {} });
    expect(next).toHaveBeenCalled();
    expect(res.locals.identity).toEqual({ name: undefined, role: 'editor', via: 'open' });
  });

  it('says what a reader without credentials needs, and asks for a token only on 401', () => {
    const missing = run(authenticate(access()), { headers: {} });
    expect(missing.res.body).toEqual({ error: { code: 'SG_ERR_UNAUTHORIZED', message: 'a viewer or editor token is required (Authorization: Bearer <token>)' } });
    const agent = run(authenticate(access()), { headers: { authorization: 'Bearer agent-secret' } });
    expect(agent.res.statusCode).toBe(403);
    expect(agent.res.headers).toEqual({});
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a viewer %s', (method) => {
    expect(run(guardWrites([]), { method, headers: HOST }, { identity: VIEWER }).next).toHaveBeenCalled();
  });

  it('explains each refusal of a write', () => {
    const guard = guardWrites([]);
    const unnamed = run(guard, { method: 'POST', headers: HOST }, { identity: { name: undefined, role: 'viewer', via: 'token' } });
    expect(unnamed.res.body).toMatchObject({ error: { message: expect.stringMatching(/^this viewer may read but not change anything: POST needs an editor/) } });
    const crossSite = run(guard, { method: 'POST', headers: { ...HOST, origin: 'https://evil.example' } }, { identity: PROXY_EDITOR });
    expect(crossSite.res.body).toMatchObject({ error: { message: 'cross-site request refused: this page may not change anything on the hub' } });
    const noHeader = run(guard, { method: 'POST', headers: HOST }, { identity: PROXY_EDITOR });
    expect(noHeader.res.body).toMatchObject({ error: { message: expect.stringContaining('X-Supergrep-CSRF: 1') } });
  });
});
