import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLinesFrame, PROTOCOL_VERSION, type Deploy, type Pin, type PinRate } from '../../protocol/node.js';
import { CliProcess } from '../helpers/cli-process.js';
import { api } from '../helpers/http-api.js';
import { startHub, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Sends `lines` as one batch through a real agent connection and waits for the hub's ack. */
async function sendAsAgent(hub: TestHub, host: string, file: string, lines: string[]): Promise<void> {
  const socket = new WebSocket(`${hub.wsUrl}/ws/agent`);
  const messages: Array<{ type: string; batch?: number }> = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(data)) as { type: string });
  });
  await once(socket, 'open');
  try {
    socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host, agentVersion: 'test' }));
    await waitFor('the agent welcome', () => messages.some((m) => m.type === 'welcome'), 5_000);
    const body = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    socket.send(encodeLinesFrame({ batch: 1, file, fileId: `${file}#1`, offset: 0, endOffset: body.length, lineCount: lines.length, ts: Date.now() }, body));
    await waitFor('the ack', () => messages.some((m) => m.type === 'ack' && m.batch === 1), 5_000);
  } finally {
    socket.close();
  }
}

/** The hub as the CLI runs it: `supergrep hub --data DIR --statsd HOST:PORT`, stopped with SIGTERM. */
describe('supergrep hub (CLI) with pins', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  const hubs: TestHub[] = [];

  beforeEach(async () => {
    ({ dir: dataDir, cleanup } = await makeTempDir('sg-cli-pins-'));
  });

  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.process.stop()));
    await cleanup();
  });

  async function start(args: string[] = []): Promise<TestHub> {
    const hub = await startHub({ dataDir, args });
    hubs.push(hub);
    return hub;
  }

  it('counts pins into StatsD and keeps pins, counts and deploys across a SIGTERM restart', async () => {
    const listener = createSocket('udp4');
    const datagrams: string[] = [];
    listener.on('message', (message) => datagrams.push(...String(message).split('\n')));
    listener.bind(0, '127.0.0.1');
    await once(listener, 'listening');
    try {
      const first = await start(['--statsd', `127.0.0.1:${(listener.address() as AddressInfo).port}`]);
      // Without its passing `backfilling` state (history is on), as it is stored.
      const { backfilling: _backfilling, ...pin } = (await api<Pin>(first.url, 'POST', '/api/pins', { json: { name: 'payment failures', query: 'payment failed' } })).body;
      const deploy = (await api<Deploy>(first.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.3', by: 'ci' } })).body;
      await sendAsAgent(first, 'web-1', '/var/log/app.log', ['payment failed: card declined', 'ok', 'payment failed: timeout', 'payment ok']);

      const stat = /^supergrep\.pin\.payment_failures\.matches:(\d+)\|c$/;
      const total = () => datagrams.reduce((sum, datagram) => sum + Number(stat.exec(datagram)?.[1] ?? 0), 0);
      await waitFor('2 matches in StatsD', () => total() >= 2, 10_000);
      expect(total()).toBe(2);

      expect(await first.process.stop()).toEqual({ code: 0, signal: null });
      hubs.splice(hubs.indexOf(first), 1);

      const second = await start();
      expect((await api(second.url, 'GET', '/api/pins')).body).toEqual([pin]);
      expect((await api(second.url, 'GET', '/api/deploys')).body).toEqual([deploy]);
      const rate = (await api<PinRate>(second.url, 'GET', `/api/pins/${pin.id}/rate`)).body;
      expect(rate.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2);
    } finally {
      listener.close();
    }
  });

  it('refuses a malformed --statsd value at start-up', async () => {
    const hub = new CliProcess(['hub', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--statsd', 'graphite']);
    const { code } = await hub.exited;
    expect(code).not.toBe(0);
    expect(hub.output()).toMatch(/expected "host:port" with a port from 1 to 65535\n.*at statsd/);
  });
});
