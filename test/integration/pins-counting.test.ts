import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { pinRateSchema, type Pin, type PinRate } from '../../protocol/index.js';
import { api, metricValue } from '../helpers/http-api.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { startTestHub, TestAgent, TestViewer, type TestHub } from '../helpers/hub-harness.js';

/** A 10 s bucket boundary. */
const T0 = 1_764_190_000_000;

const hubs: TestHub[] = [];
const cleanups: Array<() => Promise<void>> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function hub(options: Record<string, unknown> = {}, now?: () => number): Promise<TestHub> {
  const started = await startTestHub(options, now ? { now } : {});
  hubs.push(started);
  return started;
}

async function createPin(h: TestHub, body: Record<string, unknown>): Promise<Pin> {
  const created = await api<Pin>(h.url, 'POST', '/api/pins', { json: body });
  expect(created.status).toBe(201);
  return created.body;
}

function lines(matching: number, other: number, tag = ''): string[] {
  const out: string[] = [];
  for (let i = 0; i < matching; i += 1) out.push(`ERROR checkout failed ${tag}${i}`);
  for (let i = 0; i < other; i += 1) out.push(`INFO checkout ok ${tag}${i}`);
  return out;
}

describe('pin counting', () => {
  it('counts exactly the matching lines of the pin\u2019s hosts in the bucket of the hub\u2019s clock, before any flush', async () => {
    let clock = T0 + 1_000;
    // No periodic flush during the test: the answer must include counts not yet in SQLite.
    const h = await hub({ pinFlushIntervalMs: 3_600_000 }, () => clock);
    const pin = await createPin(h, { name: 'checkout errors', query: 'ERROR', hosts: ['web-*'] });
    const { agent: web } = await TestAgent.connect(h, 'web-1');
    const { agent: db } = await TestAgent.connect(h, 'db-1');

    await web.send('/var/log/app.log', lines(5, 3, 'a'));
    await db.send('/var/log/app.log', lines(4, 0, 'db')); // another host: not this pin's
    await web.send('/var/log/other.log', lines(2, 2, 'b'));
    clock = T0 + 10_000;
    await web.send('/var/log/app.log', lines(3, 10, 'c'));
    clock = T0 + 35_000;

    const rate = await api<PinRate>(h.url, 'GET', `/api/pins/${pin.id}/rate?since=${T0 - 20_000}`);
    expect(rate.status).toBe(200);
    expect(pinRateSchema.parse(rate.body)).toEqual({
      pinId: pin.id,
      bucketMs: 10_000,
      buckets: [
        { ts: T0 - 20_000, count: 0 },
        { ts: T0 - 10_000, count: 0 },
        { ts: T0, count: 7 },
        { ts: T0 + 10_000, count: 3 },
        { ts: T0 + 20_000, count: 0 },
        { ts: T0 + 30_000, count: 0 },
      ],
    });

    const lastHour = (await api<PinRate>(h.url, 'GET', `/api/pins/${pin.id}/rate`)).body.buckets;
    expect(lastHour).toHaveLength(361);
    expect(lastHour.at(-1)).toEqual({ ts: T0 + 30_000, count: 0 });
    expect(lastHour.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(10);
    const fiveMinutes = (await api<PinRate>(h.url, 'GET', `/api/pins/${pin.id}/rate?minutes=5`)).body.buckets;
    expect(fiveMinutes[0]!.ts).toBe(T0 + 35_000 - 5 * 60_000 - 5_000);
  });

  it('shares the evaluation with a viewer holding the same filter, and counts whether or not anyone watches', async () => {
    const h = await hub();
    const pin = await createPin(h, { name: 'errors', query: 'ERROR', hosts: ['web-*'] });
    const { agent } = await TestAgent.connect(h, 'web-1');
    await agent.send('/var/log/app.log', lines(4, 4, 'unwatched'));

    const viewer = await TestViewer.connect(h);
    await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
    await viewer.subscribe('same', { hosts: ['web-*'], query: 'ERROR' });
    const before = (await h.internals.metrics.linesMatched.get()).values[0]?.value ?? 0;
    await agent.send('/var/log/app.log', lines(6, 2, 'watched'));
    expect(await viewer.collect('same', 6)).toHaveLength(6);
    // Counted once per distinct filter: the pin and the viewer share one evaluation.
    expect((await h.internals.metrics.linesMatched.get()).values[0]?.value).toBe(before + 6);

    const buckets = (await api<PinRate>(h.url, 'GET', `/api/pins/${pin.id}/rate?minutes=1`)).body.buckets;
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(10);
  });

  it('exports each pin as a Prometheus series and removes it with the pin', async () => {
    const h = await hub();
    const pin = await createPin(h, { name: 'checkout "errors"', query: 'ERROR' });
    await createPin(h, { name: 'quiet', query: 'never matches anything' });
    const { agent } = await TestAgent.connect(h, 'web-1');
    await agent.send('/var/log/app.log', lines(5, 5));
    await agent.send('/var/log/app.log', lines(2, 0, 'x'));

    const metrics = async () => (await api(h.url, 'GET', '/metrics')).text;
    const series = 'supergrep_pin_matches_total{pin="checkout \\"errors\\""}';
    expect(metricValue(await metrics(), series)).toBe(7);
    expect(metricValue(await metrics(), 'supergrep_pin_matches_total{pin="quiet"}')).toBe(0);

    expect((await api(h.url, 'DELETE', `/api/pins/${pin.id}`)).status).toBe(204);
    const after = await metrics();
    expect(metricValue(after, series)).toBeUndefined();
    expect(after).not.toContain('checkout \\"errors\\"');
    expect(metricValue(after, 'supergrep_pin_matches_total{pin="quiet"}')).toBe(0);
  });

  it('sends each pin\u2019s matches to StatsD over UDP, summed per flush interval', async () => {
    const listener = createSocket('udp4');
    sockets.push(listener);
    const datagrams: string[] = [];
    listener.on('message', (message) => datagrams.push(...String(message).split('\n')));
    listener.bind(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;

    const h = await hub({ statsd: `127.0.0.1:${port}`, statsdFlushIntervalMs: 1_000 });
    await createPin(h, { name: 'Checkout errors', query: 'ERROR' });
    await createPin(h, { name: 'quiet', query: 'never matches anything' });
    const { agent } = await TestAgent.connect(h, 'web-1');
    // Five batches sent back to back, well within one flush interval.
    await Promise.all([1, 2, 3, 4, 5].map((i) => agent.send('/var/log/app.log', lines(3, 2, `b${i}-`))));

    const stat = /^supergrep\.pin\.checkout_errors\.matches:(\d+)\|c$/;
    const total = () => datagrams.reduce((sum, datagram) => sum + Number(stat.exec(datagram)?.[1] ?? 0), 0);
    await waitFor('15 matches counted in StatsD', () => total() >= 15, 10_000);
    expect(total()).toBe(15);
    // One increment per pin per interval, not one per batch or line (two if the batches straddled a flush).
    expect(datagrams.length).toBeLessThanOrEqual(2);
    expect(datagrams.every((datagram) => stat.test(datagram))).toBe(true);
  });

  it('writes counts to the database every flush interval, without waiting for shutdown', async () => {
    const { dir, cleanup } = await makeTempDir('sg-pin-flush-');
    cleanups.push(cleanup);
    const h = await hub({ dataDir: dir, pinFlushIntervalMs: 50 });
    const pin = await createPin(h, { name: 'errors', query: 'ERROR' });
    const { agent } = await TestAgent.connect(h, 'web-1');
    await agent.send('/var/log/app.log', lines(9, 1));

    const reader = new Database(join(dir, 'supergrep.db'), { readonly: true });
    try {
      const stored = () => (reader.prepare('SELECT SUM(count) AS n FROM pin_counts WHERE pin_id = ?').get(pin.id) as { n: number | null }).n;
      expect(await waitFor('the counts in SQLite', stored, 10_000)).toBe(9);
    } finally {
      reader.close();
    }
  });
});
