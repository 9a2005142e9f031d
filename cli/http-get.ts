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

/** The hub could not be reached or stopped answering (not a certificate problem): worth trying again. */
export class HubUnreachableError extends Error {}

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
      reject(certificate === undefined ? new HubUnreachableError(`cannot reach ${url.origin}: ${error.message}`, { cause: error }) : new Error(certificate, { cause: error }));
    });
    req.end();
  });
}

/** The largest answer `getText` reads. */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * GETs `url` and resolves with the status and the answer's text, read whole (at most 16 MiB).
 * A connection lost while the answer streams in rejects with `HubUnreachableError` too.
 */
export async function getText(url: URL, options: GetOptions = {}): Promise<{ status: number; text: string }> {
  const response = await getStream(url, options);
  const maxBytes = MAX_TEXT_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy();
        throw new Error(`the answer of ${url.origin}${url.pathname} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (size > maxBytes) throw error;
    throw new HubUnreachableError(`lost ${url.origin} while reading its answer: ${(error as Error).message}`, { cause: error });
  }
  return { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') };
}
