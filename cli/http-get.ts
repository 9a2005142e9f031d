import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { certificateProblem } from '../lib/tls-trust.js';

export interface GetOptions {
  headers?: Record<string, string>;
  /** CA certificates (PEM) trusted for an https:// hub besides the system's; verification is never off. */
  ca?: Buffer | undefined;
  /** The request fails when the hub sends nothing for this long (ms). */
  idleTimeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * GETs `url` and resolves with the response once its head arrived, for the caller to read as it
 * streams. node:https rather than fetch, which cannot be given a CA of its own. A certificate that
 * fails verification rejects with a message saying what to do about it.
 */
export function getStream(url: URL, options: GetOptions = {}): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      headers: options.headers ?? {},
      ...(options.ca ? { ca: options.ca } : {}),
      timeout: options.idleTimeoutMs ?? 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in time`)));
    req.on('error', (error) => {
      const certificate = certificateProblem(error);
      reject(certificate === undefined ? new Error(`cannot reach ${url.origin}: ${error.message}`, { cause: error }) : new Error(certificate, { cause: error }));
    });
    req.end();
  });
}
