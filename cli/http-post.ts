import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { certificateProblem } from '../lib/tls-trust.js';

export interface PostOptions {
  headers?: Record<string, string>;
  /** CA certificates (PEM) trusted for an https:// hub besides the system's; verification is never off. */
  ca?: Buffer | undefined;
  timeoutMs?: number;
}

/**
 * POSTs a JSON body and resolves with the status and the answer's text. node:https rather than
 * fetch, which cannot be given a CA of its own. A certificate that fails verification rejects with
 * a message saying what to do about it.
 */
export function postJson(url: URL, body: unknown, options: PostOptions = {}): Promise<{ status: number; text: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...options.headers },
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in time`)));
    req.on('error', (error) => {
      const certificate = certificateProblem(error);
      reject(certificate === undefined ? new Error(`cannot reach ${url.origin}: ${error.message}`, { cause: error }) : new Error(certificate, { cause: error }));
    });
    req.end(payload);
  });
}
