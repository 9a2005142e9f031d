import type { RequestHandler, Response } from 'express';
import type { ApiError } from '../../protocol/index.js';
import { originAllowed } from './origin-check.js';
import type { HostCheck } from './host-check.js';
import type { Authenticator, Identity, Refusal } from './authenticator.js';

/**
 * The header a browser page must send with every state-changing request when it is authenticated
 * by a proxy's cookie: another site's page can make the browser send the cookie, but not this
 * header (it would need a CORS preflight, which the hub never grants).
 */
const CSRF_HEADER = 'x-supergrep-csrf';

/** Methods that change nothing; every other method needs an editor. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function refuse(res: Response, refusal: Refusal): void {
  const body: ApiError = { error: { code: refusal.code, message: refusal.message } };
  if (refusal.status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(refusal.status).json(body);
}

/** The identity `authenticate` left on the response. */
function identityOf(res: Response): Identity {
  return res.locals.identity as Identity;
}

/**
 * Express middleware in front of every browser-facing route: a request for a host name the hub does
 * not answer to (a DNS-rebound page) gets 421 before anything else looks at it.
 */
export function guardHost(hosts: HostCheck): RequestHandler {
  return (req, res, next) => {
    const refusal = hosts.refusal(req);
    if (refusal === undefined) return next();
    const body: ApiError = { error: { code: 'SG_ERR_FORBIDDEN', message: refusal } };
    res.status(421).json(body);
  };
}

/**
 * Express middleware: finds out who the request is from (see Authenticator.reader) and leaves it in
 * `res.locals.identity` (and the name in `res.locals.viewer`, which routes record as createdBy), or
 * answers 401 / 403.
 */
export function authenticate(access: Authenticator): RequestHandler {
  return (req, res, next) => {
    const credentials = access.reader(req);
    if (credentials.kind === 'refused') return refuse(res, credentials);
    const identity = credentials.kind === 'identified' ? credentials.identity : access.anonymous();
    if (identity === undefined) {
      return refuse(res, {
        status: 401,
        code: 'SG_ERR_UNAUTHORIZED',
        message: 'a viewer or editor token is required (Authorization: Bearer <token>)',
      });
    }
    res.locals.identity = identity;
    res.locals.viewer = identity.name;
    next();
  };
}

/**
 * Express middleware after `authenticate`, for every state-changing request (any method but GET,
 * HEAD and OPTIONS):
 * - it needs an editor (403 SG_ERR_FORBIDDEN for a viewer);
 * - when nothing but ambient authority vouches for it (a proxy's cookie, or an open hub on
 *   loopback), a request from another site's page is refused: a foreign `Origin` or
 *   `Sec-Fetch-Site: cross-site`, and, for proxy identities, a missing `X-Supergrep-CSRF: 1`.
 *   Bearer tokens are never sent by a browser on its own, so token requests need none of this.
 */
export function guardWrites(allowedOrigins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const identity = identityOf(res);
    if (identity.role !== 'editor') {
      return refuse(res, {
        status: 403,
        code: 'SG_ERR_FORBIDDEN',
        message: `${identity.name ?? 'this viewer'} may read but not change anything: ${req.method} needs an editor (an editor token, or a proxy user with the editor role)`,
      });
    }
    if (identity.via === 'token') return next();
    const crossSite =
      req.headers['sec-fetch-site'] === 'cross-site' || (req.headers.origin !== undefined && !originAllowed(req.headers, allowedOrigins));
    if (crossSite) {
      return refuse(res, { status: 403, code: 'SG_ERR_FORBIDDEN', message: 'cross-site request refused: this page may not change anything on the hub' });
    }
    if (identity.via === 'proxy' && req.headers[CSRF_HEADER] !== '1') {
      return refuse(res, {
        status: 403,
        code: 'SG_ERR_FORBIDDEN',
        message: 'requests that change something must carry the header X-Supergrep-CSRF: 1 (it proves they come from a supergrep page, not another site)',
      });
    }
    next();
  };
}
