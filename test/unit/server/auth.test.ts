import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { parseToken } from '../../../lib/tokens.js';
import { headerAuth, messageAuth, originAllowed, requireViewerToken } from '../../../server/auth.js';

const TOKENS = [parseToken('alice:s3cret-alice'), parseToken('bare-secret')];

describe('headerAuth', () => {
  it.each<[string, IncomingHttpHeaders, ReturnType<typeof headerAuth>]>([
    ['no header', {}, { kind: 'none' }],
    ['empty header', { authorization: '' }, { kind: 'none' }],
    ['a named token', { authorization: 'Bearer s3cret-alice' }, { kind: 'valid', name: 'alice' }],
    ['scheme in any case', { authorization: 'bearer s3cret-alice' }, { kind: 'valid', name: 'alice' }],
    ['a bare token, named by its digest', { authorization: 'Bearer bare-secret' }, { kind: 'valid', name: TOKENS[1]!.name }],
    ['a wrong token', { authorization: 'Bearer nope' }, { kind: 'invalid' }],
    ['the name instead of the secret', { authorization: 'Bearer alice' }, { kind: 'invalid' }],
    ['another scheme', { authorization: 'Basic czNjcmV0' }, { kind: 'invalid' }],
  ])('%s', (_name, headers, expected) => {
    expect(headerAuth(headers, TOKENS)).toEqual(expected);
  });

  it('accepts tokens sent in a hello message', () => {
    expect(messageAuth('s3cret-alice', TOKENS)).toBe('alice');
    expect(messageAuth('wrong', TOKENS)).toBeUndefined();
    expect(messageAuth(undefined, TOKENS)).toBeUndefined();
  });
});

describe('originAllowed', () => {
  it.each<[string, IncomingHttpHeaders, string[], boolean]>([
    ['no Origin: not a browser', { host: 'hub:7070' }, [], true],
    ['the hub’s own origin', { host: 'hub:7070', origin: 'http://hub:7070' }, [], true],
    ['the hub’s own origin over https (TLS proxy)', { host: 'logs.example.com', origin: 'https://logs.example.com' }, [], true],
    ['an explicit default port in Host', { host: 'logs.example.com:443', origin: 'https://logs.example.com' }, [], true],
    ['host names compare case-insensitively', { host: 'HUB:7070', origin: 'http://hub:7070' }, [], true],
    ['IPv6 loopback', { host: '[::1]:7070', origin: 'http://[::1]:7070' }, [], true],
    ['another site', { host: 'hub:7070', origin: 'http://evil.example' }, [], false],
    ['same host, other port', { host: 'hub:7070', origin: 'http://hub:8080' }, [], false],
    ['a listed origin', { host: 'hub:7070', origin: 'https://dash.example.com' }, ['https://dash.example.com'], true],
    ['a listed origin with a trailing slash', { host: 'hub:7070', origin: 'https://dash.example.com' }, ['https://dash.example.com/'], true],
    ['a listed origin with another scheme', { host: 'hub:7070', origin: 'http://dash.example.com' }, ['https://dash.example.com'], false],
    ['the opaque origin "null"', { host: 'hub:7070', origin: 'null' }, [], false],
    ['a non-http origin', { host: 'hub:7070', origin: 'file://hub:7070' }, [], false],
  ])('%s', (_name, headers, allowed, expected) => {
    expect(originAllowed(headers, allowed)).toBe(expected);
  });
});

describe('requireViewerToken', () => {
  function call(tokens: typeof TOKENS, headers: IncomingHttpHeaders) {
    const res = {
      locals: {} as Record<string, unknown>,
      statusCode: 200,
      body: undefined as unknown,
      status(code: number) {
        this.statusCode = code;
        return this;
      },
      set() {
        return this;
      },
      json(body: unknown) {
        this.body = body;
        return this;
      },
    };
    const next = vi.fn();
    requireViewerToken(tokens)({ headers } as Request, res as unknown as Response, next);
    return { res, next };
  }

  it('lets everything through when no viewer tokens are configured', () => {
    expect(call([], {}).next).toHaveBeenCalled();
  });

  it('passes a valid token and records who it is', () => {
    const { res, next } = call(TOKENS, { authorization: 'Bearer s3cret-alice' });
    expect(next).toHaveBeenCalled();
    expect(res.locals.viewer).toBe('alice');
  });

  it.each<[string, IncomingHttpHeaders]>([
    ['missing', {}],
    ['wrong', { authorization: 'Bearer nope' }],
  ])('answers 401 with an API error when the token is %s', (_name, headers) => {
    const { res, next } = call(TOKENS, headers);
    expect(next).not.toHaveBeenCalled();
    expect(res.statusCode).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'SG_ERR_UNAUTHORIZED', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toContain('nope');
  });
});
