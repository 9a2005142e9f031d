import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../lib/logger.js';

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
