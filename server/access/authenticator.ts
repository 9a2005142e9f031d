import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode, Role } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { bearerToken, findToken, type NamedToken } from '../../lib/tokens.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import { hasIdentityHeaders, proxyIdentity, type ProxyAuthConfig } from './proxy-auth.js';
import { TrustedProxies } from './trusted-proxies.js';

/** Who is asking, and what they may do. `name` is what createdBy records (absent on an open hub). */
export interface Identity {
  name: string | undefined;
  role: Role;
  /** How they proved it: a bearer token, a trusted proxy's headers, or nothing (a hub without reader credentials). */
  via: 'token' | 'proxy' | 'open';
}

export interface Refusal {
  status: 401 | 403;
  code: Extract<ErrorCode, 'SG_ERR_UNAUTHORIZED' | 'SG_ERR_FORBIDDEN'>;
  /** Safe to show: never contains a presented secret. */
  message: string;
}

/** What the credentials on a request say. */
export type Credentials = { kind: 'none' } | { kind: 'identified'; identity: Identity } | ({ kind: 'refused' } & Refusal);

/** The part of an HTTP request (or WebSocket upgrade) that authentication looks at. */
export interface RequestLike {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

export interface AccessConfig {
  agentTokens: readonly NamedToken[];
  viewerTokens: readonly NamedToken[];
  editorTokens: readonly NamedToken[];
  trustedProxies: readonly string[];
  proxyAuth?: ProxyAuthConfig | undefined;
}

/** A request carrying identity headers from an untrusted address is logged at most this often. */
const UNTRUSTED_LOG_INTERVAL_MS = 60_000;

function unauthorized(message: string): { kind: 'refused' } & Refusal {
  return { kind: 'refused', status: 401, code: 'SG_ERR_UNAUTHORIZED', message };
}

function forbidden(message: string): { kind: 'refused' } & Refusal {
  return { kind: 'refused', status: 403, code: 'SG_ERR_FORBIDDEN', message };
}

/**
 * Decides who a request is, for the three kinds of peer: agents (agent tokens; they only send
 * lines), viewers and editors (viewer and editor tokens, or the identity headers of a trusted
 * authenticating proxy). A token of one kind never works as another: an agent token cannot read,
 * a viewer or editor token cannot send lines.
 */
export class Authenticator {
  private readonly proxies: TrustedProxies;
  private readonly untrustedLog: LogThrottle;

  constructor(
    private readonly config: AccessConfig,
    private readonly logger: Logger,
    now: () => number = Date.now,
  ) {
    this.proxies = new TrustedProxies(config.trustedProxies);
    this.untrustedLog = new LogThrottle(UNTRUSTED_LOG_INTERVAL_MS, now);
  }

  /** True when reading needs credentials: reader tokens or proxy identities are configured. */
  get readersNeedCredentials(): boolean {
    return this.config.viewerTokens.length > 0 || this.config.editorTokens.length > 0 || this.config.proxyAuth !== undefined;
  }

  /**
   * Who a request for reading or editing comes from, by its headers: a trusted proxy's identity
   * headers first, then `Authorization: Bearer`. `none` when it carries neither (a browser socket
   * then authenticates in its hello; see `anonymous` for an open hub).
   */
  reader(request: RequestLike): Credentials {
    const { proxyAuth } = this.config;
    if (proxyAuth !== undefined && hasIdentityHeaders(request.headers, proxyAuth)) {
      const remote = request.socket.remoteAddress;
      if (!this.proxies.has(remote)) {
        this.untrustedLog.run((suppressed) =>
          this.logger.warn(
            { remote, header: proxyAuth.userHeader, suppressedSinceLast: suppressed },
            'identity header from an address not in trustedProxies; request refused',
          ),
        );
        return forbidden('identity headers are accepted only from the reverse proxies listed in trustedProxies');
      }
      const found = proxyIdentity(request.headers, proxyAuth);
      if (found.kind === 'refused') return forbidden(found.message);
      if (found.kind === 'user') return { kind: 'identified', identity: { name: found.name, role: found.role, via: 'proxy' } };
    }
    const header = request.headers.authorization;
    if (header === undefined || header === '') return { kind: 'none' };
    const secret = bearerToken(header);
    const identity = this.tokenIdentity(secret);
    if (identity) return { kind: 'identified', identity };
    if (findToken(this.config.agentTokens, secret)) return forbidden('this is an agent token: agents can send lines but never read them');
    // Without reader credentials configured, an Authorization header means nothing and is ignored.
    return this.readersNeedCredentials ? unauthorized('the token is not valid') : { kind: 'none' };
  }

  /** The identity of a reader who presented nothing: an editor on an open hub, else undefined. */
  anonymous(): Identity | undefined {
    return this.readersNeedCredentials ? undefined : { name: undefined, role: 'editor', via: 'open' };
  }

  /**
   * Who a viewer socket is from by the token in its hello (browsers cannot set headers on a
   * WebSocket), or the anonymous identity of an open hub; refused otherwise.
   */
  hello(token: string | undefined): { kind: 'identified'; identity: Identity } | ({ kind: 'refused' } & Refusal) {
    const identity = this.tokenIdentity(token) ?? (findToken(this.config.agentTokens, token) ? undefined : this.anonymous());
    if (identity) return { kind: 'identified', identity };
    if (findToken(this.config.agentTokens, token)) return forbidden('this is an agent token: agents can send lines but never read them');
    return unauthorized('a valid viewer or editor token is required');
  }

  /**
   * Whether an agent may connect: with agent tokens configured it must present one. A viewer or
   * editor token is refused even on a hub that takes agents without tokens. Returns the token's
   * name (for logs) or a refusal.
   */
  agent(request: RequestLike): { kind: 'agent'; name: string | undefined } | ({ kind: 'refused' } & Refusal) {
    const secret = bearerToken(request.headers.authorization);
    const token = findToken(this.config.agentTokens, secret);
    if (token) return { kind: 'agent', name: token.name };
    if (this.tokenIdentity(secret)) return forbidden('this is a viewer or editor token: only agent tokens may send lines');
    if (this.config.agentTokens.length === 0) return { kind: 'agent', name: undefined };
    return unauthorized('agent token missing or not valid');
  }

  private tokenIdentity(secret: string | undefined): Identity | undefined {
    const editor = findToken(this.config.editorTokens, secret);
    if (editor) return { name: editor.name, role: 'editor', via: 'token' };
    const viewer = findToken(this.config.viewerTokens, secret);
    if (viewer) return { name: viewer.name, role: 'viewer', via: 'token' };
    return undefined;
  }
}
