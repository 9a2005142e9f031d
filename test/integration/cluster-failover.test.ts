import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { RawViewer, hubMetric, startClusterHub } from '../helpers/cluster.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, numbered, startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Unacknowledged bytes the agent may have in flight; small, so the window the rule allows is small. */
const MAX_INFLIGHT_BYTES = 16 * 1024;
const BATCH_MAX_BYTES = 2 * 1024;

describe('cluster: agent failover between hubs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  const viewers: RawViewer[] = [];
  const proxies: TcpProxy[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-failover-'));
    nats = await NatsServer.start(join(dir, 'jetstream'));
  });

  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await nats.stop();
    await cleanup();
  });

  it('loses nothing when the agent\u2019s hub is killed mid-stream; lines repeat only within the unacknowledged window', async () => {
    const a = await startClusterHub(nats, dir, 'a');
    const b = await startClusterHub(nats, dir, 'b');
    processes.push(a.process, b.process);
    const onB = await new RawViewer(b.url, { query: 'seq' }).ready();
    viewers.push(onB);

    const file = join(dir, 'app.log');
    await appendLines(file, []);
    const agentConfig = join(dir, 'agent.json');
    await writeFile(agentConfig, JSON.stringify({ maxInflightBytes: MAX_INFLIGHT_BYTES, batchMaxBytes: BATCH_MAX_BYTES, reconnectBaseMs: 50, reconnectCapMs: 300 }));
    // The agent reaches A through a proxy that can hold back A's acknowledgements.
    const proxy = await TcpProxy.start(a.port);
    proxies.push(proxy);
    const agent = startAgent({ hubs: [`ws://127.0.0.1:${proxy.port}`, b.wsUrl], paths: [file], stateFile: join(dir, 'agent.state.json'), name: 'host-a', args: ['--config', agentConfig] });
    processes.push(agent);
    await waitForFollowing(agent, file);

    const total = 6000;
    const lines = numbered('seq', total);
    const lineBytes = Buffer.byteLength(`${lines[0]}\n`);
    // Written as a stream, 50 lines every 10 ms. Once B has shown 1000 of them, A's acks stop
    // reaching the agent while A goes on taking lines in and publishing them; once 600 more lines
    // reached B, A is killed. The agent must send the unacknowledged ones again, to B.
    let written = 0;
    const writer = (async () => {
      for (; written < total; written += 50) {
        await appendLines(file, lines.slice(written, written + 50));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor('B to show 1000 lines', () => onB.lines().length >= 1000, 30_000, 2);
    proxy.holdReplies();
    const atHold = onB.lines().length;
    // B's viewer lags A a little, so some of these were acknowledged before the hold: most were not.
    await waitFor('A to take 600 more lines', () => onB.lines().length >= atHold + 600, 30_000, 2);
    a.process.kill('SIGKILL');
    const killedAt = written;
    await writer;
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(total);
    await onB.waitForLine(lines.at(-1)!, 45_000);
    await agent.waitForLog('the agent on hub B', (r) => r.msg === 'connected to hub' && r.hubId === b.id);

    const received = onB.lines();
    const seen = new Map<string, string[]>();
    for (const line of received) seen.set(line.line, [...(seen.get(line.line) ?? []), line.id]);
    // Nothing lost.
    expect(lines.filter((line) => !seen.has(line))).toEqual([]);
    expect([...seen.keys()].filter((line) => !line.startsWith('seq ')).length).toBe(0);
    // Repeats: lines A took in (and published) whose acknowledgement never reached the agent, sent
    // again to B. Each at most twice, once under A's ids and once under B's, in one unbroken run,
    // and no more than the agent could have had unacknowledged.
    const repeated = lines.map((line, index) => ({ index, ids: seen.get(line)! })).filter((entry) => entry.ids.length > 1);
    for (const { ids } of repeated) {
      expect(ids).toHaveLength(2);
      expect(ids[0]!.startsWith(`${a.id}-`)).toBe(true);
      expect(ids[1]!.startsWith(`${b.id}-`)).toBe(true);
    }
    // At least most of the 600 lines A took while its acks were held: the window was exercised.
    const connections = agent.logs().filter((r) => String(r.msg).includes('hub')).map((r) => [r.time, r.msg, r.hubId ?? r.hub, r.code]);
    expect(repeated.length, `hold at ${atHold} lines; agent: ${JSON.stringify(connections)}`).toBeGreaterThanOrEqual(200);
    expect(repeated.at(-1)!.index - repeated[0]!.index + 1).toBe(repeated.length);
    expect(repeated.length * lineBytes).toBeLessThanOrEqual(MAX_INFLIGHT_BYTES + BATCH_MAX_BYTES);
    // Per source, in order: A's lines first, then B's, each in file order.
    const order = (prefix: string) => received.filter((line) => line.id.startsWith(prefix)).map((line) => line.line);
    expect(order(`${a.id}-`)).toEqual([...order(`${a.id}-`)].sort());
    expect(order(`${b.id}-`)).toEqual([...order(`${b.id}-`)].sort());
  });

  it('loses nothing when the agent\u2019s hub is killed while its publications are still on their way to NATS', async () => {
    // A reaches NATS through a proxy that can stall: what A publishes then is stuck in socket
    // buffers, never reaching NATS, exactly what a kill -9 loses. A waits long for NATS to confirm.
    const natsProxy = await TcpProxy.start(Number(new URL(nats.url).port));
    proxies.push(natsProxy);
    const a = await startClusterHub({ url: `nats://127.0.0.1:${natsProxy.port}` }, dir, 'a', { natsTimeoutMs: 30_000 });
    const b = await startClusterHub(nats, dir, 'b');
    processes.push(a.process, b.process);
    const onB = await new RawViewer(b.url, { query: 'seq' }).ready();
    viewers.push(onB);

    const file = join(dir, 'app.log');
    await appendLines(file, []);
    const agentConfig = join(dir, 'agent.json');
    await writeFile(agentConfig, JSON.stringify({ reconnectBaseMs: 50, reconnectCapMs: 300 }));
    const agent = startAgent({ hubs: [a.wsUrl, b.wsUrl], paths: [file], stateFile: join(dir, 'agent.state.json'), name: 'host-a', args: ['--config', agentConfig] });
    processes.push(agent);
    await waitForFollowing(agent, file);

    const total = 4000;
    const lines = numbered('seq', total);
    let written = 0;
    const writer = (async () => {
      for (; written < total; written += 50) {
        await appendLines(file, lines.slice(written, written + 50));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor('B to show 500 lines', () => onB.lines().length >= 500, 30_000, 2);
    natsProxy.stall();
    const publishedAtStall = await hubMetric(a, 'supergrep_nats_lines_published_total');
    // A goes on taking lines in and publishing them; none of these reach NATS.
    await waitFor('A to publish 500 more lines', async () => (await hubMetric(a, 'supergrep_nats_lines_published_total')) >= publishedAtStall + 500, 30_000);
    a.process.kill('SIGKILL');
    await writer;
    await onB.waitForLine(lines.at(-1)!, 45_000);

    // Had A acknowledged the stuck lines, the agent would have resumed on B after them.
    const seen = new Set(onB.lines().map((line) => line.line));
    expect(lines.filter((line) => !seen.has(line))).toEqual([]);
  });
});
