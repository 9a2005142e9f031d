import { afterEach, describe, expect, it } from 'vitest';
import type { HubToClient, Pin, PinEvent, PinRate } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { TestAgent, TestViewer, type TestHub as HarnessHub } from '../helpers/hub-harness.js';
import { startHub, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BUCKET_MS = 10_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `supergrep hub --data DIR [args]`, stopped after the test. */
async function hub(args: string[] = []): Promise<TestHub> {
  const { dir, cleanup } = await makeTempDir('sg-pin-backfill-');
  cleanups.push(cleanup);
  const started = await startHub({ dataDir: dir, args });
  cleanups.push(async () => void (await started.process.stop()));
  return started;
}

/** The harness's agent and viewer only need the hub's WebSocket address. */
const asHarness = (h: TestHub) => h as unknown as HarnessHub;

const errors = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `ERROR checkout failed ${tag}${i}`);
const others = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `INFO checkout ok ${tag}${i}`);

function pinEvent(message: HubToClient): message is PinEvent {
  return message.type === 'pin';
}

describe('a new pin\u2019s past, from history (CLI hub)', () => {
  it('fills the buckets before its creation with the counts history holds, says it is loading meanwhile, and counts later lines once', async () => {
    const h = await hub();
    // Five minutes ago, on a bucket boundary: the agents' clock puts these lines there (no line states a time).
    const base = Math.floor((Date.now() - 5 * 60_000) / BUCKET_MS) * BUCKET_MS;
    const { agent } = await TestAgent.connect(asHarness(h), 'web-1');
    await agent.send('/var/log/app.log', [...errors(5, 'a'), ...others(3, 'a')], { ts: base + 1_000 });
    await agent.send('/var/log/app.log', errors(4, 'b'), { ts: base + 2 * BUCKET_MS + 500 });
    const { agent: db } = await TestAgent.connect(asHarness(h), 'db-1');
    await db.send('/var/log/app.log', errors(6, 'db'), { ts: base + 1_000 }); // another host: not this pin's

    const viewer = await TestViewer.connect(asHarness(h));
    await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
    const created = await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'checkout errors', query: 'ERROR', hosts: ['web-*'] } });
    expect(created.status).toBe(201);
    const pin = created.body;
    expect(pin.backfilling).toBe(true);
    // Read by the agent before the pin existed, taken after: counted live once, not again from history.
    await agent.send('/var/log/app.log', errors(3, 'c'), { ts: base + 1_500 });

    const announced = (await viewer.inbox.next('the pin created', (m) => pinEvent(m) && m.action === 'created')) as PinEvent;
    expect(announced.pin).toMatchObject({ id: pin.id, backfilling: true });
    const done = (await viewer.inbox.next('the backfill done', (m) => pinEvent(m) && m.action === 'updated')) as PinEvent;
    expect(done.pin).toMatchObject({ id: pin.id, backfilling: false, countedFrom: base + 1_000 });
    const listed = (await api<Pin[]>(h.url, 'GET', '/api/pins')).body.find((p) => p.id === pin.id)!;
    expect(listed.backfilling).toBeUndefined();
    expect(listed.countedFrom).toBe(base + 1_000);

    const rate = (await api<PinRate>(h.url, 'GET', `/api/pins/${pin.id}/rate?since=${base - BUCKET_MS}`)).body;
    const at = (ts: number) => rate.buckets.find((bucket) => bucket.ts === ts)?.count;
    expect(at(base - BUCKET_MS)).toBe(0);
    expect(at(base)).toBe(5);
    expect(at(base + BUCKET_MS)).toBe(0);
    expect(at(base + 2 * BUCKET_MS)).toBe(4);
    const createdBucket = Math.floor(pin.createdAt / BUCKET_MS) * BUCKET_MS;
    expect(rate.buckets.filter((bucket) => bucket.ts > base + 2 * BUCKET_MS && bucket.ts < createdBucket).every((bucket) => bucket.count === 0)).toBe(true);
    expect(rate.buckets.filter((bucket) => bucket.ts >= createdBucket).reduce((sum, bucket) => sum + bucket.count, 0)).toBe(3);
    expect(rate.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(12);
    viewer.peer.socket.close();
    agent.close();
    db.close();
  });

  it('with history off, counts from the pin\u2019s creation and never reports a backfill', async () => {
    const h = await hub(['--no-history']);
    const { agent } = await TestAgent.connect(asHarness(h), 'web-1');
    await agent.send('/var/log/app.log', errors(5, 'a'), { ts: Date.now() - 60_000 });
    const created = await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR' } });
    expect(created.status).toBe(201);
    expect(created.body.backfilling).toBeUndefined();
    await agent.send('/var/log/app.log', errors(2, 'b'));
    const rate = (await api<PinRate>(h.url, 'GET', `/api/pins/${created.body.id}/rate?minutes=5`)).body;
    expect(rate.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2);
    agent.close();
  });
});
