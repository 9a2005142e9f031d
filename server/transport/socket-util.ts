import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer } from 'ws';

/** A ws message as one Buffer, whatever binaryType delivered. */
export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 123) return text;
  // Cut on a character boundary: decode the prefix and drop a possibly broken last character.
  return bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD$/, '') + '...';
}

/** Sends if the socket is open; a socket that is closing drops the message, which is what we want. */
export function sendIfOpen(socket: WebSocket, text: string): void {
  if (socket.readyState === socket.OPEN) socket.send(text);
}

/** The peer's address for logs. */
export function remoteAddress(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress;
}

/** How long peers get to answer a close frame at shutdown before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

/**
 * Closes every client of a noServer WebSocketServer with `code`, terminating those that do not
 * complete the closing handshake in time, and resolves once the server reports closed.
 */
export function closeServer(server: WebSocketServer, code: number, reason: string): Promise<void> {
  for (const client of server.clients) client.close(code, reason);
  const cutoff = setTimeout(() => {
    for (const client of server.clients) client.terminate();
  }, SHUTDOWN_GRACE_MS);
  return new Promise((resolve) =>
    server.close(() => {
      clearTimeout(cutoff);
      resolve();
    }),
  );
}
