import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a chat webhook: records every request and answers
 * each with what `respond` says (a status, or `hold` to leave it unanswered until `close`).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (request: ReceivedRequest, index: number) => number | 'hold' = () => 200;
  private readonly held: ServerResponse[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The webhook URL; its path stands for the secret part of a real webhook's URL. */
  url(path = '/hooks/T000/B000/s3cr3t-path'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) res.writeHead(status).end();
  }

  async close(): Promise<void> {
    this.release(503);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Recorded as text.
    }
    const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body };
    this.requests.push(request);
    const answer = this.respond(request, this.requests.length - 1);
    if (answer === 'hold') this.held.push(res);
    else res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer >= 300 ? 'no' : 'ok');
  }
}
