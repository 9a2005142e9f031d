import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { ApiError } from '../protocol/index.js';
import { bearerToken, findToken, type NamedToken } from '../lib/tokens.js';

/** What an `Authorization` header says about its bearer. */
export type HeaderAuth = { kind: 'none' } | { kind: 'valid'; name: string } | { kind: 'invalid' };

/** Checks an `Authorization: Bearer` header against `tokens`; never returns or logs the secret. */
export function headerAuth(headers: IncomingHttpHeaders, tokens: readonly NamedToken[]): HeaderAuth {
  const header = headers.authorization;
  if (header === undefined || header === '') return { kind: 'none' };
  const token = findToken(tokens, bearerToken(header));
  return token ? { kind: 'valid', name: token.name } : { kind: 'invalid' };
}

/** Finds the token holder for a token sent in a message body (browsers cannot set WebSocket headers). */
export function messageAuth(token: string | undefined, tokens: readonly NamedToken[]): string | undefined {
  return findToken(tokens, token)?.name;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

function normalizeOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    // Not a URL: such an origin can never be allowed, which the caller expresses by undefined.
    return undefined;
  }
}

/**
 * Whether a page served from `Origin` may open a viewer socket: the hub's own pages (the origin's
 * host equals the Host header, http or https, so it also holds behind a TLS proxy) or an origin
 * listed in `allowedOrigins`. No Origin header means a non-browser client, which tokens govern.
 * This stops another site's page from using a logged-in browser to read the logs.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return false;
  const url = new URL(normalized);
  const host = headers.host?.toLowerCase();
  if (host !== undefined) {
    const port = url.port || DEFAULT_PORTS[url.protocol]!;
    if (host === url.host || host === `${url.hostname}:${port}`) return true;
  }
  return allowedOrigins.some((allowed) => normalizeOrigin(allowed) === normalized);
}

export function unauthorizedBody(message: string): ApiError {
  return { error: { code: 'SG_ERR_UNAUTHORIZED', message } };
}

/**
 * Express middleware: with viewer tokens configured, the request needs `Authorization: Bearer`
 * with one of them; the holder's name is left in `res.locals.viewer` for routes that record who did what.
 */
export function requireViewerToken(tokens: readonly NamedToken[]): RequestHandler {
  return (req, res, next) => {
    if (tokens.length === 0) {
      next();
      return;
    }
    const auth = headerAuth(req.headers, tokens);
    if (auth.kind === 'valid') {
      res.locals.viewer = auth.name;
      next();
      return;
    }
    const message =
      auth.kind === 'none' ? 'a viewer token is required (Authorization: Bearer <token>)' : 'the viewer token is not valid';
    res.status(401).set('WWW-Authenticate', 'Bearer').json(unauthorizedBody(message));
  };
}
