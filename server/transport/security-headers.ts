import type { RequestHandler } from 'express';

/**
 * The UI's Content-Security-Policy. Scripts and styles only from the hub's own files (Vite emits
 * no inline script, and React sets `style` props through the CSSOM, which CSP does not restrict), so
 * an injected `<script>` or `style="..."` in a log line could not run even if some bug rendered it as
 * HTML. Sockets only to the hub (`ws:`/`wss:` for browsers where `'self'` does not cover them).
 * Nothing may frame the UI.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

/** HSTS for a year, sent only when the hub itself serves TLS (behind a TLS proxy, the proxy sends it). */
const HSTS = 'max-age=31536000';

/** Headers on every HTTP answer: CSP, no sniffing, no referrer, no framing, and HSTS over TLS. */
export function securityHeaders(options: { tls: boolean }): RequestHandler {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (options.tls) headers['Strict-Transport-Security'] = HSTS;
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
