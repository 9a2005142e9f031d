import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { plainListHtml, type PlainListConfig } from './plain-list-page.js';

export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the baseline page from this process on a loopback port. A real server, not an intercepted
 * request: Chromium treats a page that came from no address as public and blocks its socket to a
 * loopback hub (Local Network Access). The hub lists this origin in `allowedOrigins` for the run.
 */
export async function servePlainList(config: () => PlainListConfig): Promise<PageServer> {
  const server = createServer((_request, response) => {
    const html = plainListHtml(config());
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
