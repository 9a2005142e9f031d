import type { IncomingHttpHeaders } from 'node:http';

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
