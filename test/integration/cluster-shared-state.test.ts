import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Capture, CaptureCreated, Deploy, Pin, PinRate } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { RawViewer, hubMetric, startClusterHub } from '../helpers/cluster.js';
import { api } from '../helpers/http-api.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, numbered, startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

async function rateTotal(hubUrl: string, pinId: string): Promise<number> {
  const rate = await api<PinRate>(hubUrl, 'GET', `/api/pins/${pinId}/rate?minutes=5`);
  expect(rate.status).toBe(200);
  return rate.body.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
}

/** Pins, deploy markers and captures live in JetStream: every hub shows the same ones. */
describe('cluster: shared pins, deploys and captures', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  const viewers: RawViewer[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-state-'));
    nats = await NatsServer.start(join(dir, 'jetstream'));
  });

  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await nats.stop();
    await cleanup();
  });

  async function hub(name: string) {
    const started = await startClusterHub(nats, dir, name);
    processes.push(started.process);
    return started;
  }

  async function viewer(hubUrl: string, query: string): Promise<RawViewer> {
    const started = new RawViewer(hubUrl, { query });
    viewers.push(started);
    return started.ready();
  }

  it('shows a pin created through one hub on every hub, and counts each matching line once across hubs', async () => {
    const a = await hub('a');
    const b = await hub('b');
    // Viewers that want every line on both hubs: each hub also receives the other's lines, so a
    // hub that counted what it received (not only what it ingested) would count them twice.
    const onA = await viewer(a.url, '');
    const onB = await viewer(b.url, '');

    const created = await api<Pin>(a.url, 'POST', '/api/pins', { json: { name: 'checkout errors', query: 'ERROR' } });
    expect(created.status).toBe(201);
    const pin = created.body;
    await waitFor('B to list the pin', async () => (await api<Pin[]>(b.url, 'GET', '/api/pins')).body.some((p) => p.id === pin.id));
    // Created, then updated once each hub has read its own history for the pin's past (empty here).
    const settled = (on: RawViewer) => on.events('pin').map((event) => [event.action, event.pin.backfilling]);
    await waitFor('the pin events on both hubs', () => settled(onA).length === 2 && settled(onB).length === 2);
    expect(settled(onA)).toEqual([['created', true], ['updated', false]]);
    expect(settled(onB)).toEqual([['created', true], ['updated', false]]);
    // (The answer to the POST may come before or after A's backfill ended.)
    expect(onB.events('pin')[0]).toEqual({ type: 'pin', action: 'created', pin: { ...pin, backfilling: true } });

    const fileA = join(dir, 'a.log');
    const fileB = join(dir, 'b.log');
    const agentA = startAgent({ hubs: [a.wsUrl], paths: [fileA], stateFile: join(dir, 'a.state.json'), name: 'host-a' });
    const agentB = startAgent({ hubs: [b.wsUrl], paths: [fileB], stateFile: join(dir, 'b.state.json'), name: 'host-b' });
    processes.push(agentA, agentB);
    await appendLines(fileA, []);
    await appendLines(fileB, []);
    await waitForFollowing(agentA, fileA);
    await waitForFollowing(agentB, fileB);

    await appendLines(fileA, [...numbered('ERROR a', 7), ...numbered('INFO a', 20), 'END a']);
    await appendLines(fileB, [...numbered('ERROR b', 5), ...numbered('INFO b', 9), 'END b']);
    for (const view of [onA, onB]) {
      await view.waitForLine('END a');
      await view.waitForLine('END b');
    }
    // Every hub's rate settles at 12, not 24: each hub counted only its own agents' lines.
    await waitFor('both rates to reach 12', async () => (await rateTotal(a.url, pin.id)) >= 12 && (await rateTotal(b.url, pin.id)) >= 12);
    expect(await rateTotal(a.url, pin.id)).toBe(12);
    expect(await rateTotal(b.url, pin.id)).toBe(12);
    // Both hubs held both agents' lines (15 of host-b's reached A): the counting, not the routing, kept it at 12.
    expect(await hubMetric(a, 'supergrep_nats_lines_received_total')).toBe(15);
    expect(await hubMetric(b, 'supergrep_nats_lines_received_total')).toBe(28);
    // One more match through B, after later flushes of both: exactly 13 everywhere.
    await appendLines(fileB, ['ERROR b last']);
    await waitFor('both rates to reach 13', async () => (await rateTotal(a.url, pin.id)) >= 13 && (await rateTotal(b.url, pin.id)) >= 13);
    expect(await rateTotal(a.url, pin.id)).toBe(13);
    expect(await rateTotal(b.url, pin.id)).toBe(13);
    // Per-hub Prometheus series count each hub's own agents: they add up to the total.
    expect(await hubMetric(a, 'supergrep_pin_matches_total{pin="checkout errors"}')).toBe(7);
    expect(await hubMetric(b, 'supergrep_pin_matches_total{pin="checkout errors"}')).toBe(6);

    // A second pin with the same name is refused on the other hub too.
    const clash = await api(b.url, 'POST', '/api/pins', { json: { name: 'Checkout Errors', query: 'x' } });
    expect(clash.status).toBe(409);

    const deleted = await api(b.url, 'DELETE', `/api/pins/${pin.id}`);
    expect(deleted.status).toBe(204);
    await waitFor('A to drop the pin', async () => (await api<Pin[]>(a.url, 'GET', '/api/pins')).body.length === 0);
    await waitFor('the deletion event on both hubs', () => onA.events('pin').length === 3 && onB.events('pin').length === 3);
    expect(onA.events('pin')[2]).toMatchObject({ action: 'deleted', pin: { id: pin.id } });
  });

  it('shares deploy markers (one event per viewer) and captures, large ones included', async () => {
    const a = await hub('a');
    const b = await hub('b');
    const onA = await viewer(a.url, 'x');
    const onB = await viewer(b.url, 'x');

    const posted = await api<Deploy>(b.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.3', by: 'ci' } });
    expect(posted.status).toBe(201);
    await waitFor('the deploy event on both hubs', () => onA.events('deploy').length === 1 && onB.events('deploy').length === 1);
    expect(onA.events('deploy')[0]!.deploy).toEqual(posted.body);
    const listed = await api<Deploy[]>(a.url, 'GET', '/api/deploys');
    expect(listed.body).toEqual([posted.body]);

    // About 3 MiB: more than NATS carries in one message.
    const lines = Array.from({ length: 3000 }, (_, i) => ({ id: `h-1-${i}`, host: 'web-1', file: '/var/log/app.log', ts: 1_764_190_000_000 + i, line: `${'x'.repeat(1000)} ${i}` }));
    const saved = await api<CaptureCreated>(a.url, 'POST', '/api/captures', { json: { title: 'incident 42', lines } });
    expect(saved.status).toBe(201);
    const fromB = await api<Capture>(b.url, 'GET', `/api/captures/${saved.body.id}`);
    expect(fromB.status).toBe(200);
    expect(fromB.body.title).toBe('incident 42');
    expect(fromB.body.lines).toHaveLength(3000);
    expect(fromB.body.lines[2999]!.line).toBe(`${'x'.repeat(1000)} 2999`);
    const markdown = await api(b.url, 'GET', `/api/captures/${saved.body.id}.md`);
    expect(markdown.status).toBe(200);
    expect(markdown.text).toContain('incident 42');
    expect((await api(b.url, 'GET', '/api/captures/nosuchcapture000')).status).toBe(404);
    // No second deploy event from the echo of the stored marker.
    expect(onB.events('deploy')).toHaveLength(1);
  });
});
