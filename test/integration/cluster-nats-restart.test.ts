import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pin } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { RawViewer, hubMetric, startClusterHub, waitForPeers, type NatsHealthBody } from '../helpers/cluster.js';
import { api } from '../helpers/http-api.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, numbered, startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** NATS goes away and comes back: hubs go on serving their own agents, then join up again. */
describe('cluster: NATS restarts', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  const viewers: RawViewer[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-restart-'));
    nats = await NatsServer.start(join(dir, 'jetstream'));
  });

  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await nats.stop();
    await cleanup();
  });

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
});
