import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pin, PinRate } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { RawViewer, hubMetric, startClusterHub, waitForPeers, type NatsHealthBody } from '../helpers/cluster.js';
import { api } from '../helpers/http-api.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, numbered, startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** NATS goes away and comes back: hubs go on serving their own agents, then join up again. */
describe('cluster: NATS restarts', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  const viewers: RawViewer[] = [];
  const proxies: TcpProxy[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-restart-'));
    nats = await NatsServer.start(join(dir, 'jetstream'));
  });

  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await nats.stop();
    await cleanup();
  });

  async function pinTotal(url: string, pinId: string): Promise<number> {
    const rate = await api<PinRate>(url, 'GET', `/api/pins/${pinId}/rate?minutes=5`);
    return rate.body.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  }

  async function health(url: string): Promise<{ status: number; body: NatsHealthBody }> {
    const answer = await api<NatsHealthBody>(url, 'GET', '/healthz');
    return { status: answer.status, body: answer.body };
  }

  it('keeps serving local agents and viewers without NATS, says so in /healthz, and resumes cross-hub delivery and shared state when it returns', async () => {
    const a = await startClusterHub(nats, dir, 'a');
    const b = await startClusterHub(nats, dir, 'b');
    processes.push(a.process, b.process);
    const file = join(dir, 'app.log');
    await appendLines(file, []);
    const agent = startAgent({ hubs: [a.wsUrl], paths: [file], stateFile: join(dir, 'agent.state.json'), name: 'host-a' });
    processes.push(agent);
    await waitForFollowing(agent, file);
    const onA = new RawViewer(a.url, { query: 'msg' });
    const onB = new RawViewer(b.url, { query: 'msg' });
    viewers.push(onA, onB);
    await Promise.all([onA.ready(), onB.ready()]);
    const pin = (await api<Pin>(a.url, 'POST', '/api/pins', { json: { name: 'before', query: 'msg' } })).body;

    await appendLines(file, numbered('msg before', 100));
    await onB.waitForLine('msg before 000099');

    await nats.stop();
    for (const hub of [a, b]) {
      await waitFor(`${hub.url} to report NATS down`, async () => (await health(hub.url)).body.nats.connected === false);
      const { status, body } = await health(hub.url);
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
    }
    // A's own agent and viewer carry on.
    await appendLines(file, numbered('msg during', 100));
    await onA.waitForLine('msg during 000099');
    expect(await hubMetric(a, 'supergrep_nats_lines_unpublished_total')).toBe(100);
    expect(await hubMetric(a, 'supergrep_nats_connected')).toBe(0);
    // Pins are listed from memory while JetStream is away.
    expect((await api<Pin[]>(b.url, 'GET', '/api/pins')).body.map((p) => p.id)).toEqual([pin.id]);
    // Changes cannot be saved meanwhile, and the API says why: 503, try again.
    const refused = await api<{ error: { code: string } }>(b.url, 'POST', '/api/pins', { json: { name: 'while down', query: 'x' } });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SG_ERR_STORAGE');

    await nats.restart();
    for (const hub of [a, b]) {
      await waitFor(`${hub.url} to report NATS back`, async () => (await health(hub.url)).body.nats.connected === true, 30_000);
      expect((await health(hub.url)).body.status).toBe('ok');
    }
    await waitForPeers(b, 1);
    // Live lines cross again (the lines written during the outage are not replayed live)...
    await appendLines(file, numbered('msg after', 100));
    await onB.waitForLine('msg after 000099');
    expect(onB.texts()).toEqual([...numbered('msg before', 100), ...numbered('msg after', 100)]);
    // A counted its pin's matches during the outage and wrote them once JetStream was back: B's rate has all 300.
    await waitFor('the pin counts of the outage on B', async () => (await pinTotal(b.url, pin.id)) === 300);
    // ...but they are in A's backlog, which a new subscription on B gathers from A.
    const late = new RawViewer(b.url, { query: 'msg during' }, { backlog: 1000 });
    viewers.push(late);
    await late.ready();
    await waitFor('the backlog from A', () => late.lines(true).length === 100);
    expect(late.texts(true)).toEqual(numbered('msg during', 100));

    // JetStream kept the state, and changes flow again: a pin created through B shows on A.
    const after = (await api<Pin>(b.url, 'POST', '/api/pins', { json: { name: 'after', query: 'after' } })).body;
    await waitFor('A to list both pins', async () => (await api<Pin[]>(a.url, 'GET', '/api/pins')).body.length === 2);
    expect((await api<Pin[]>(a.url, 'GET', '/api/pins')).body.map((p) => p.id)).toEqual([pin.id, after.id]);
    await waitFor('the pin event on A', () => onA.events('pin').some((event) => event.pin.id === after.id));
    expect(await hubMetric(a, 'supergrep_nats_disconnects_total')).toBe(1);
  });

  it('a hub cut off from NATS alone serves its own agents, says so while the others stay healthy, and catches up on what changed when it returns', async () => {
    // A reaches NATS through a proxy that can cut it off; B and C stay connected throughout.
    const toNats = await TcpProxy.start(nats.port);
    proxies.push(toNats);
    const a = await startClusterHub({ url: `nats://127.0.0.1:${toNats.port}` }, dir, 'a');
    const b = await startClusterHub(nats, dir, 'b');
    processes.push(a.process, b.process);
    const fileA = join(dir, 'a.log');
    const fileB = join(dir, 'b.log');
    await appendLines(fileA, []);
    await appendLines(fileB, []);
    const agentA = startAgent({ hubs: [a.wsUrl], paths: [fileA], stateFile: join(dir, 'a.state.json'), name: 'host-a' });
    const agentB = startAgent({ hubs: [b.wsUrl], paths: [fileB], stateFile: join(dir, 'b.state.json'), name: 'host-b' });
    processes.push(agentA, agentB);
    await waitForFollowing(agentA, fileA);
    await waitForFollowing(agentB, fileB);
    const onA = new RawViewer(a.url, { query: 'msg' });
    const onB = new RawViewer(b.url, { query: 'msg' });
    viewers.push(onA, onB);
    await Promise.all([onA.ready(), onB.ready()]);
    const pin = (await api<Pin>(b.url, 'POST', '/api/pins', { json: { name: 'msgs', query: 'msg' } })).body;
    await waitFor('A to hold the pin', async () => (await api<Pin[]>(a.url, 'GET', '/api/pins')).body.length === 1);
    await appendLines(fileA, numbered('msg a before', 20));
    await onB.waitForLine('msg a before 000019');

    toNats.disconnect();
    await waitFor('A to report NATS down', async () => (await health(a.url)).body.nats.connected === false);
    expect((await health(a.url)).body.status).toBe('degraded');
    expect((await health(b.url)).body).toMatchObject({ status: 'ok', nats: { connected: true } });

    // Each hub serves its own agent; nothing crosses.
    await appendLines(fileA, numbered('msg a during', 50));
    await appendLines(fileB, numbered('msg b during', 30));
    await onA.waitForLine('msg a during 000049');
    await onB.waitForLine('msg b during 000029');
    // B changes the shared state while A cannot see it.
    const second = (await api<Pin>(b.url, 'POST', '/api/pins', { json: { name: 'during', query: 'during' } })).body;
    expect((await api(a.url, 'POST', '/api/pins', { json: { name: 'refused', query: 'x' } })).status).toBe(503);

    toNats.resume();
    await waitFor('A to report NATS back', async () => (await health(a.url)).body.nats.connected === true, 30_000);
    expect((await health(a.url)).body.status).toBe('ok');
    // Shared state made meanwhile arrives: A lists B's pin and tells its viewer, once.
    await waitFor('A to list the pin made while it was away', async () => (await api<Pin[]>(a.url, 'GET', '/api/pins')).body.some((p) => p.id === second.id));
    await waitFor('the pin event on A', () => onA.events('pin').some((event) => event.pin.id === second.id));
    expect(onA.events('pin').filter((event) => event.pin.id === second.id && event.action === 'created')).toHaveLength(1);
    // A's pin counts of the outage reach the shared rate: 20 + 50 of A's lines, 30 of B's.
    await waitFor('the outage counted once on B', async () => (await pinTotal(b.url, pin.id)) === 100);
    await waitFor('the same on A', async () => (await pinTotal(a.url, pin.id)) === 100);
    // Live lines cross again, both ways.
    await waitForPeers(b, 1);
    await appendLines(fileA, ['msg a after']);
    await appendLines(fileB, ['msg b after']);
    await onB.waitForLine('msg a after');
    await onA.waitForLine('msg b after');
    expect(onA.texts().filter((text) => text.startsWith('msg b'))).toEqual(['msg b after']);
    // What A took in while cut off is gathered from A's backlog by a new subscription on B.
    const late = new RawViewer(b.url, { query: 'msg a during' }, { backlog: 1000 });
    viewers.push(late);
    await late.ready();
    await waitFor('the backlog from A', () => late.lines(true).length === 50);
    expect(late.texts(true)).toEqual(numbered('msg a during', 50));
  });
});
