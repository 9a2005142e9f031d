import { rename, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { FAST_AGENT, hubMetric, LineWriter, waitForCheckpointAtEnd, waitForStats, writeJson } from '../helpers/reliability.js';
import { appendSentinel, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Lines of `lines` grouped by their prefix (the word before the number), each group in arrival order. */
function byPrefix(lines: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of lines) {
    const prefix = line.split(' ')[0]!;
    groups.set(prefix, [...(groups.get(prefix) ?? []), line]);
  }
  return groups;
}

/** The hub away for a long time while files rotate, and a network that stalls without closing. */
describe('pipeline across network faults', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let log: string;
  let stateFile: string;
  let proxy: TcpProxy | undefined;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];
  const writers: LineWriter[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-net-faults-'));
    log = join(dir, 'app.log');
    stateFile = join(dir, 'agent.json');
    await writeFile(log, '');
  });

  afterEach(async () => {
    for (const writer of writers.splice(0)) await writer.stop();
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await proxy?.close();
    proxy = undefined;
    await cleanup();
  });

  async function hubWith(config: Record<string, unknown>, port = 0): Promise<TestHub> {
    const file = await writeJson(join(dir, 'hub-config.json'), config);
    const started = await startHub({ dataDir: join(dir, 'hub'), port, args: ['--config', file] });
    processes.push(started.process);
    return started;
  }

  async function agentWith(hubUrl: string, config: Record<string, unknown>): Promise<CliProcess> {
    const file = await writeJson(join(dir, 'agent-config.json'), { ...FAST_AGENT, ...config });
    const agent = startAgent({ hubs: [hubUrl], paths: [log], stateFile, args: ['--config', file] });
    processes.push(agent);
    await waitForFollowing(agent, log);
    return agent;
  }

  async function viewer(query: string): Promise<Collector> {
    const collector = new Collector(hub.url, { query }, { backlog: 10_000 });
    collectors.push(collector);
    return collector.ready();
  }

  it('follows several rotations while the hub is down long enough for the backoff to reach its cap, then delivers everything once', async () => {
    const reconnectCapMs = 800;
    hub = await hubWith({});
    const agent = await agentWith(hub.wsUrl, { reconnectBaseMs: 50, reconnectCapMs });
    const watcher = await viewer('^(gen\\d) ');
    const generations: LineWriter[] = [];
    const writer = (generation: number) => {
      const started = new LineWriter(() => log, `gen${generation}`, 5, 40, 2_000).start();
      generations.push(started);
      writers.push(started);
      return started;
    };
    const first = writer(0);
    await waitFor('lines before the outage', () => watcher.lines.length >= 50);
    await first.stop();
    await watcher.waitForCount(first.written.length);
    // Everything sent so far is acknowledged, so no line is in the unacknowledged window at the kill.
    // Both are needed: the checkpoint says the file's end is acknowledged, and a stats record logged
    // since then says nothing else is in flight (an older record can predate the last batch).
    const settledAt = Date.now();
    await waitForCheckpointAtEnd(stateFile, log);
    await waitForStats(agent, 'nothing in flight', (s) => s.inflightBytes === 0 && Number(s.batchesAcked) === Number(s.batchesSent), settledAt);

    hub.process.kill('SIGKILL');
    await hub.process.exited;
    const downAt = Date.now();
    // Three rename+create rotations while the hub is away; each old file keeps lines nobody has read.
    for (let generation = 1; generation <= 3; generation += 1) {
      const current = writer(generation);
      await waitFor(`lines of generation ${generation} written`, () => current.written.length >= 80);
      await current.stop();
      await rename(log, join(dir, `app.log.${generation}`));
    }
    const last = writer(4);
    // Down until the agent has retried at its cap for a while (base 50 ms doubles past 800 ms by the 5th try).
    const atCap = await agent.waitForLog('the backoff to reach its cap', (r) => r.msg === 'could not connect to hub; will retry' && Number(r.failures) >= 10, 30_000);
    const stats = await waitForStats(agent, 'the outage seen', (s) => s.connected === false && Number(s.reconnects) >= 10 && Number(s.filesFollowed) === 4);
    expect(stats.inflightBytes).toBe(0);
    hub = await hubWith({}, hub.port);
    const reconnected = await agent.waitForLog('the reconnection', (r) => r.msg === 'connected to hub' && Number(r.time) > Number(atCap.time));
    await last.stop();

    const expected = generations.flatMap((w) => w.written);
    await watcher.waitForCount(expected.length, 30_000);
    // Rotated-away files are closed once read out and acknowledged: nothing more can come from them.
    await waitForStats(agent, 'the rotated files closed', (s) => Number(s.filesFollowed) === 1 && s.connected === true, Number(reconnected.time));
    // Sent after everything else the agent sent, from any file: once it is in, so is any copy.
    await appendSentinel(watcher, log, 'gen4 sentinel');
    // Every line exactly once; each generation (one file) in order.
    expect([...watcher.texts()].sort()).toEqual([...expected, 'gen4 sentinel'].sort());
    const groups = byPrefix(watcher.texts());
    for (const w of generations) expect(groups.get(w.written[0]!.split(' ')[0]!)?.filter((line) => line !== 'gen4 sentinel')).toEqual(w.written);
    // That no retry waits longer than the cap is checked on a fake clock, in
    // test/unit/agent/shipping/hub-connection.test.ts; here, that the agent kept retrying and came back.
    expect(agent.logs().filter((r) => r.msg === 'could not connect to hub; will retry' && Number(r.time) >= downAt).length).toBeGreaterThanOrEqual(10);
    expect(await hubMetric(hub.url, 'supergrep_agents')).toBe(1);
  });

  it('notices a network stall by its heartbeat, reconnects once the network is back and loses nothing', async () => {
    hub = await hubWith({ heartbeatIntervalMs: 1_000 });
    proxy = await TcpProxy.start(hub.port);
    const agent = await agentWith(`ws://127.0.0.1:${proxy.port}`, { heartbeatIntervalMs: 500, reconnectBaseMs: 50, reconnectCapMs: 500 });
    const watcher = await viewer('^line ');
    const writer = new LineWriter(() => log, 'line', 10, 50, 5_000).start();
    writers.push(writer);
    await waitFor('lines before the stall', () => watcher.lines.length >= 50);

    proxy.stall();
    const stalledAt = Date.now();
    // Noticed by the agent's own heartbeat at its configured interval (TCP alone never notices a stall).
    const missed = await agent.waitForLog('the agent to notice', (r) => r.msg === 'hub missed a heartbeat; reconnecting');
    expect(missed).toMatchObject({ heartbeatIntervalMs: 500 });
    await hub.process.waitForLog('the hub to notice', (r) => r.msg === 'peer missed a heartbeat; terminated' && r.endpoint === 'agent');
    await waitFor('the hub to count the agent gone', async () => (await hubMetric(hub.url, 'supergrep_agents')) === 0);
    // While stalled, new connections get nowhere: the handshake times out and the agent keeps trying.
    await agent.waitForLog('a failed attempt through the stall', (r) => r.msg === 'could not connect to hub; will retry' && Number(r.time) > stalledAt);
    await waitForStats(agent, 'disconnected', (s) => s.connected === false, stalledAt);
    const deliveredDuringStall = watcher.lines.length;

    proxy.resume();
    await agent.waitForLog('the reconnection', (r) => r.msg === 'connected to hub' && Number(r.time) > stalledAt);
    const written = await writer.stop();
    expect(written.length).toBeGreaterThan(deliveredDuringStall);
    await watcher.waitForCount(written.length, 30_000);
    await appendSentinel(watcher, log, 'line sentinel');
    expect(watcher.texts()).toEqual([...written, 'line sentinel']);
    expect(await hubMetric(hub.url, 'supergrep_agents')).toBe(1);
    expect(agent.running && hub.process.running).toBe(true);
  });
});
