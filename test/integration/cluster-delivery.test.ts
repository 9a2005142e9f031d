import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pin, PinRate } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { RawViewer, hubMetric, natsConnectionName, startClusterHub, waitForPeers } from '../helpers/cluster.js';
import { api } from '../helpers/http-api.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, numbered, startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Several hubs on one NATS: lines, backlog, context and sources across hubs, routed by interest. */
describe('cluster: delivery across hubs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  const viewers: RawViewer[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-'));
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

  async function agent(hubUrl: string, host: string, file: string): Promise<CliProcess> {
    const process = startAgent({ hubs: [hubUrl], paths: [file], stateFile: join(dir, `${host}.state.json`), name: host });
    processes.push(process);
    await appendLines(file, []);
    await waitForFollowing(process, file);
    return process;
  }

  function viewer(hubUrl: string, filter: ConstructorParameters<typeof RawViewer>[1], options: { backlog?: number } = {}): Promise<RawViewer> {
    const started = new RawViewer(hubUrl, filter, options);
    viewers.push(started);
    return started.ready();
  }

  it('delivers every line an agent sends to one hub to a viewer on another, once each, in order, under the ingesting hub\u2019s ids', async () => {
    const a = await hub('a');
    const b = await hub('b');
    const onB = await viewer(b.url, { query: 'line' });
    const file = join(dir, 'app.log');
    await agent(a.wsUrl, 'host-a', file);

    const expected = numbered('line', 3000);
    for (let i = 0; i < expected.length; i += 250) await appendLines(file, expected.slice(i, i + 250));
    await appendLines(file, ['line END']);
    await onB.waitForLine('line END');

    const lines = onB.lines();
    expect(lines.map((line) => line.line)).toEqual([...expected, 'line END']);
    expect(new Set(lines.map((line) => line.id)).size).toBe(lines.length);
    expect(lines.every((line) => line.id.startsWith(`${a.id}-`) && line.host === 'host-a' && line.file === file)).toBe(true);
    expect(await hubMetric(b, 'supergrep_nats_lines_received_total')).toBe(3001);
    expect(await hubMetric(a, 'supergrep_nats_lines_published_total')).toBe(3001);
  });

  it('routes by interest: a hub receives only the hosts its viewers select, and nothing without viewers, pins included', async () => {
    const a = await hub('a');
    const b = await hub('b');
    const c = await hub('c');
    // A pin selects every host; pins are counted where lines are taken in, so it must not make any
    // hub subscribe to other hubs' lines.
    const pin = (await api<Pin>(c.url, 'POST', '/api/pins', { json: { name: 'ends', query: 'END' } })).body;
    await waitFor('every hub to hold the pin', async () => (await Promise.all([a, b].map((h) => api<Pin[]>(h.url, 'GET', '/api/pins')))).every((l) => l.body.length === 1));
    const onB = await viewer(b.url, { query: '', hosts: ['web-1'] });
    const webFile = join(dir, 'web.log');
    const dbFile = join(dir, 'db.log');
    await agent(a.wsUrl, 'web-1', webFile);
    await agent(a.wsUrl, 'db-1', dbFile);

    await appendLines(dbFile, numbered('db', 400));
    await appendLines(webFile, numbered('web', 300));
    await appendLines(dbFile, ['db END']);
    await appendLines(webFile, ['web END']);
    await onB.waitForLine('web END');
    // db END was published after db's other lines; once A has published it, nothing of db-1 is left in flight.
    await waitFor('A to publish every line', async () => (await hubMetric(a, 'supergrep_nats_lines_published_total')) === 702);
    // A round trip through NATS after the last publication: C and B have seen everything they will.
    await viewer(c.url, { query: 'nothing', hosts: ['nowhere'] });

    expect(onB.texts()).toEqual([...numbered('web', 300), 'web END']);
    expect(await hubMetric(b, 'supergrep_nats_lines_received_total')).toBe(301);
    expect(await hubMetric(b, 'supergrep_nats_line_subjects')).toBe(1);
    expect(await hubMetric(c, 'supergrep_nats_lines_received_total')).toBe(0);
    // The same, as nats-server itself saw it: C's only line subject is its late viewer's, and no
    // line message went through it; B subscribed to web-1's lines only.
    const lineSubs = async (h: { id: string }) => (await nats.connection(natsConnectionName(h)))!.subscriptions.filter((sub) => sub.subject.startsWith('sg.lines.'));
    expect(await lineSubs(c)).toEqual([{ subject: 'sg.lines.nowhere.*', msgs: 0 }]);
    const [onlyWeb] = await lineSubs(b);
    expect(onlyWeb?.subject).toBe('sg.lines.web-1.*');
    expect(await lineSubs(b)).toHaveLength(1);
    expect(onlyWeb!.msgs).toBeGreaterThan(0);
    // ...and the pin was still counted once, by A, which took both END lines in: C shows 2 without a line of traffic.
    await waitFor('the pin rate on C', async () => (await api<PinRate>(c.url, 'GET', `/api/pins/${pin.id}/rate?minutes=5`)).body.buckets.reduce((n, b) => n + b.count, 0) === 2);

    // A viewer with no host restriction needs every subject: C now receives both hosts.
    const onC = await viewer(c.url, { query: 'END' });
    await appendLines(dbFile, ['db END 2']);
    await appendLines(webFile, ['web END 2']);
    await onC.waitForLine('web END 2');
    await onC.waitForLine('db END 2');
    expect(onC.texts().sort()).toEqual(['db END 2', 'web END 2']);
    expect(await hubMetric(c, 'supergrep_nats_lines_received_total')).toBe(2);
  });

  it('replays backlog from the hub that holds it, answers context there, and lists every hub\u2019s agents', async () => {
    const a = await hub('a');
    const b = await hub('b');
    await waitForPeers(b, 1);
    const file = join(dir, 'app.log');
    await agent(a.wsUrl, 'host-a', file);
    const onA = await viewer(a.url, { query: '' });
    const sent = numbered('old', 60);
    await appendLines(file, sent);
    await waitFor('A to hold the lines', () => onA.lines().length === 60);

    // Nothing of host-a ever reached B live: the backlog comes from A, newest 25, in order.
    expect(await hubMetric(b, 'supergrep_nats_lines_received_total')).toBe(0);
    const onB = await viewer(b.url, { query: 'old' }, { backlog: 25 });
    await waitFor('the backlog', () => onB.lines(true).length === 25);
    expect(onB.texts(true)).toEqual(sent.slice(35));
    expect(onB.lines(true).map((line) => line.id)).toEqual(onA.lines().slice(35).map((line) => line.id));
    // Then live lines, after the backlog.
    await appendLines(file, ['old live']);
    await onB.waitForLine('old live');
    expect(onB.texts(false)).toEqual(['old live']);

    const target = onA.lines()[10]!;
    const context = await onB.client.context(target.id, 3, 2);
    expect(context.found).toBe(true);
    expect(context.lines.map((line) => line.line)).toEqual(sent.slice(7, 13));
    expect(context.lines.map((line) => line.id)).toEqual(onA.lines().slice(7, 13).map((line) => line.id));
    const unknown = await onB.client.context(`${a.id}-999-0`, 1, 1);
    expect(unknown.found).toBe(false);

    await waitFor('B to list host-a', () =>
      onB.events('sources').some((message) => message.agents.some((agent) => agent.host === 'host-a' && agent.connected && agent.files.some((f) => f.path === file))),
    );
  });
});
