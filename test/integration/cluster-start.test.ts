import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { NatsServer } from '../helpers/nats-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A free loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `--nats` is a promise that the hub is part of the service: a hub that cannot keep it at start
 * exits with code 1 and says why, instead of quietly serving as a lone hub.
 */
describe('cluster: a hub that cannot join at start', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const servers: NatsServer[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-start-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await cleanup();
  });

  async function exitOf(natsUrl: string): Promise<{ code: number | null; output: string }> {
    const hub = new CliProcess(['hub', '--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'hub'), '--nats', natsUrl]);
    const { code } = await hub.exited;
    return { code, output: hub.output() };
  }

  it('exits with code 1 when no NATS server answers', async () => {
    const port = await closedPort();
    const { code, output } = await exitOf(`nats://127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(output).toContain(`cannot connect to NATS at nats://127.0.0.1:${port}`);
  });

  it('exits with code 1 when the NATS server has no JetStream', async () => {
    const nats = await NatsServer.start(join(dir, 'store'), { jetstream: false });
    servers.push(nats);
    const { code, output } = await exitOf(nats.url);
    expect(code).toBe(1);
    expect(output).toContain('is nats-server running with -js?');
  });
});
