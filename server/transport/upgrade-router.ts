import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiError, ErrorCode } from '../../protocol/index.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import type { Logger } from '../../lib/logger.js';
import type { HostCheck } from '../access/host-check.js';
import { remoteAddress } from './socket-util.js';

/** Handles the upgrade of one path: checks the request, then upgrades or rejects. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Refuses a WebSocket upgrade with a plain HTTP answer, so a client sees "401 Unauthorized" and a
 * reason instead of a socket that just closes.
 */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '') +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Refuses an upgrade with a JSON body in the API's error shape ({"error": {code, message}}). */
function rejectUpgradeJson(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const error: ApiError = { error: { code, message } };
  const body = JSON.stringify(error);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Refused upgrades are logged at most this often, so a flood of them cannot flood the log. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** A browser-facing endpoint: an upgrade for a host name the hub does not answer to gets 421. */
export function checkHost(hosts: HostCheck, handler: UpgradeHandler, logger: Logger): UpgradeHandler {
  const refusalLog = new LogThrottle(REFUSAL_LOG_INTERVAL_MS);
  return (request, socket, head) => {
    const refusal = hosts.refusal(request);
    if (refusal === undefined) return handler(request, socket, head);
    refusalLog.run((suppressed) =>
      logger.warn({ remote: remoteAddress(request), host: request.headers.host, suppressed }, 'upgrade refused: host name not allowed'),
    );
    rejectUpgradeJson(socket, 421, 'SG_ERR_FORBIDDEN', refusal);
  };
}

/**
 * An endpoint for programs only (agents): any upgrade carrying an `Origin` comes from a web page and
 * is refused with 403, whatever its credentials, so no page can ever send lines.
 */
export function refuseBrowsers(handler: UpgradeHandler, logger: Logger): UpgradeHandler {
  const refusalLog = new LogThrottle(REFUSAL_LOG_INTERVAL_MS);
  return (request, socket, head) => {
    const origin = request.headers.origin ?? request.headers['sec-websocket-origin'];
    if (origin === undefined) return handler(request, socket, head);
    refusalLog.run((suppressed) =>
      logger.warn({ remote: remoteAddress(request), origin, suppressed }, 'upgrade refused: a browser may not connect to this endpoint'),
    );
    rejectUpgradeJson(socket, 403, 'SG_ERR_FORBIDDEN', 'web pages may not connect to /ws/agent: only agents, which send no Origin header');
  };
}

/** Routes `upgrade` events by path; any other path gets 404. */
export function routeUpgrades(server: Server, routes: Record<string, UpgradeHandler>, logger: Logger): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during the handshake must not surface as an unhandled 'error' event.
    socket.on('error', (err) => logger.debug({ err }, 'socket error during upgrade'));
    let path: string;
    try {
      path = new URL(request.url ?? '/', 'http://hub').pathname;
    } catch {
      // An unparsable request target cannot name one of our endpoints.
      path = '';
    }
    const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!handler) {
      rejectUpgrade(socket, 404, `supergrep: no WebSocket endpoint at ${path || 'this path'}`);
      return;
    }
    handler(request, socket, head);
  });
}
