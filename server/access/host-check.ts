import type { RequestLike } from './authenticator.js';
import { TrustedProxies } from './trusted-proxies.js';

/** Names every hub answers to: a browser reaching them is on this machine, not rebound to it. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `name`, `name:port`, `[v6]` or `[v6]:port`, nothing else (no user info, path or spaces). */
const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i;

interface HostName {
  name: string;
  port: string | undefined;
}

function parseHost(text: string): HostName | undefined {
  const match = HOST_SYNTAX.exec(text.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase().replace(/\.$/, ''), port: match[2] };
}

/** Why an `allowedHosts` entry cannot be used; undefined when it is fine. For config validation. */
export function allowedHostProblem(entry: string): string | undefined {
  return parseHost(entry) === undefined ? `"${entry}" is not a host name, optionally with a port (logs.example.com, logs.example.com:8443, [fd00::1])` : undefined;
}

function bracketed(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export interface HostCheckConfig {
  /** The address the hub listens on. */
  host: string;
  /** Names (optionally with a port) browsers use to reach the hub, besides the loopback names. */
  allowedHosts: readonly string[];
  trustedProxies: readonly string[];
  /** Whether `host` is a loopback address (config.isLoopback, passed in to keep this module free of config). */
  loopback: boolean;
}

/**
 * Refuses requests whose `Host` the hub does not answer to, so a page whose DNS name was rebound to
 * the hub's address (DNS rebinding) cannot use it as "the same origin". On loopback the hub answers
 * to the loopback names and its own address; elsewhere to those plus `allowedHosts`, and, when none
 * are configured, to any name (the hub then requires credentials, which a rebinding page lacks).
 * A trusted proxy's `X-Forwarded-Host` (the name the browser used) is checked instead of its Host.
 */
export class HostCheck {
  private readonly allowed: HostName[];
  private readonly proxies: TrustedProxies;
  /** False for a non-loopback hub without allowedHosts: every Host is accepted. */
  readonly enforced: boolean;

  constructor(config: HostCheckConfig) {
    this.enforced = config.loopback || config.allowedHosts.length > 0;
    const own = config.host === '0.0.0.0' || config.host === '::' ? [] : [bracketed(config.host)];
    const entries = [...LOOPBACK_NAMES, ...own, ...config.allowedHosts];
    this.allowed = entries.map(parseHost).filter((entry): entry is HostName => entry !== undefined);
    this.proxies = new TrustedProxies(config.trustedProxies);
  }

  /** The host name the request was addressed to, as the browser saw it. */
  private requestedHost(request: RequestLike): string | undefined {
    const forwarded = request.headers['x-forwarded-host'];
    if (typeof forwarded === 'string' && forwarded !== '' && this.proxies.has(request.socket.remoteAddress)) return forwarded;
    return request.headers.host;
  }

  /** Why the request is refused (a message safe to show), or undefined when its Host is one of the hub's names. */
  refusal(request: RequestLike): string | undefined {
    if (!this.enforced) return undefined;
    const text = this.requestedHost(request);
    // No Host at all (HTTP/1.0) is not a browser: browsers always send one.
    if (text === undefined) return undefined;
    const host = parseHost(text);
    if (host !== undefined && this.allowed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port))) return undefined;
    return `this hub does not answer to the host name ${JSON.stringify(text.slice(0, 200))}: add it with --allowed-host (allowedHosts) if browsers reach the hub under that name`;
  }
}
