import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

describe('agent and its hub connection', () => {
  const agents = new Set<Agent>();
  const hubs = new Set<FakeHub>();
  let dir: string;
  let file: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  async function startHub(options: Parameters<typeof FakeHub.start>[0] = {}): Promise<FakeHub> {
    const hub = await FakeHub.start(options);
    hubs.add(hub);
    return hub;
  }

  async function closeHub(hub: FakeHub): Promise<void> {
    hubs.delete(hub);
    await hub.close();
  }

  /** A loopback URL where nothing listens: a hub that was there and is gone. */
  async function deadHubUrl(): Promise<string> {
    const hub = await FakeHub.start();
    const { url } = hub;
    await hub.close();
    return url;
  }

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-hub-'));
    file = join(dir, 'app.log');
    stateFile = join(dir, 'agent-state.json');
    await writeFile(file, '');
  });

  afterEach(async () => {
    await stopAll(agents);
    await Promise.all([...hubs].map((hub) => hub.close()));
    hubs.clear();
    await cleanup();
  });

  it('reconnects when the hub comes back on the same port and sends what was written meanwhile', async () => {
    const first = await startHub();
    const { agent } = await startTestAgent({ hubs: [first.url], paths: [file], stateFile }, agents);
    const before = numberedLines('before', 0, 20);
    await appendLines(file, before);
    await waitFor('lines acknowledged by the first hub', () => first.linesOf(file).length >= 20 && agent.stats().batchesAcked === agent.stats().batchesSent);
    const { port } = first;
    await closeHub(first);
    await waitFor('the agent to notice', () => !agent.stats().connected);
    const meanwhile = numberedLines('meanwhile', 0, 30);
    await appendLines(file, meanwhile);
    const second = await startHub({ port });
    await waitFor('the lines written while the hub was away', () => second.linesOf(file).length >= meanwhile.length);
    expect(second.linesOf(file)).toEqual(meanwhile);
    expect(agent.stats().reconnects).toBeGreaterThan(0);
    expect(second.problems).toEqual([]);
  });

  it('fails over to the next hub URL', async () => {
    const live = await startHub();
    const { agent } = await startTestAgent({ hubs: [await deadHubUrl(), live.url], paths: [file], stateFile }, agents);
    await appendLines(file, ['via the second hub']);
    await waitFor('the line at the second hub', () => live.linesOf(file).length >= 1);
    expect(live.linesOf(file)).toEqual(['via the second hub']);
    expect(agent.stats().reconnects).toBeGreaterThan(0);
  });

  it('moves to the other hub when the one it uses goes away, losing nothing', async () => {
    const hubA = await startHub();
    const hubB = await startHub();
    const { agent } = await startTestAgent({ hubs: [hubA.url, hubB.url], paths: [file], stateFile }, agents);
    const before = numberedLines('a', 0, 20);
    await appendLines(file, before);
    await waitFor('lines acknowledged by hub A', () => hubA.linesOf(file).length >= 20 && agent.stats().batchesAcked === agent.stats().batchesSent);
    await closeHub(hubA);
    const after = numberedLines('b', 0, 20);
    await appendLines(file, after);
    await waitFor('the later lines at hub B', () => hubB.linesOf(file).length >= after.length);
    expect(hubB.linesOf(file)).toEqual(after);
  });

  it('keeps unacknowledged bytes within maxInflightBytes and re-reads nothing twice once acks resume', async () => {
    const hub = await startHub({ autoAck: false });
    const lines = numberedLines('window', 0, 20_000, ' '.repeat(40));
    await appendLines(file, lines);
    const maxInflightBytes = 64 * 1024;
    const maxLineBytes = 1024;
    const { agent } = await startTestAgent(
      { hubs: [hub.url], paths: [file], stateFile, fromStart: true, maxInflightBytes, batchMaxBytes: 16 * 1024, maxLineBytes },
      agents,
    );
    await waitFor('the window to fill', () => agent.stats().inflightBytes >= maxInflightBytes);
    // The window only closes once full; a batch may take it past the bound by at most one line.
    expect(hub.maxUnackedBytes).toBe(agent.stats().inflightBytes);
    expect(hub.maxUnackedBytes).toBeLessThanOrEqual(maxInflightBytes + maxLineBytes + 1);
    expect(hub.linesOf(file).length).toBeLessThan(lines.length);
    hub.setAutoAck(true);
    await waitFor('every line', () => hub.linesOf(file).length >= lines.length);
    expect(hub.linesOf(file)).toEqual(lines);
    expect(hub.maxUnackedBytes).toBeLessThanOrEqual(maxInflightBytes + maxLineBytes + 1);
  });

  it('reads nothing while no hub is reachable, then sends it all', async () => {
    const url = await deadHubUrl();
    const { agent } = await startTestAgent({ hubs: [url], paths: [file], stateFile }, agents);
    const lines = numberedLines('offline', 0, 5_000, ' '.repeat(100));
    await appendLines(file, lines);
    await waitFor('a few failed attempts', () => agent.stats().reconnects >= 3);
    // Nothing is read into memory for a hub that is not there: lines wait in the file.
    expect(agent.stats()).toMatchObject({ linesRead: 0, bytesRead: 0, inflightBytes: 0 });
    const hub = await startHub({ port: Number(new URL(url).port) });
    await waitFor('every line', () => hub.linesOf(file).length >= lines.length);
    expect(hub.linesOf(file)).toEqual(lines);
  });

  it('sends its token as a bearer header', async () => {
    const hub = await startHub({ token: 'agent-secret' });
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, token: 'agent-secret' }, agents);
    await appendLines(file, ['authorised']);
    await waitFor('the line', () => hub.linesOf(file).length >= 1);
    expect(hub.authorizations).toContain('Bearer agent-secret');
  });

  it('logs a clear error for a refused token, keeps retrying, and never logs the token', async () => {
    const hub = await startHub({ token: 'the-right-one' });
    const { agent, records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, token: 'wrong-token-1234' }, agents);
    await waitFor('several refused attempts', () => hub.authorizations.length >= 3);
    const refusals = records.filter((record) => record.msg === 'hub refused the agent token');
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]).toMatchObject({ level: 50 });
    expect(JSON.stringify(records)).not.toContain('wrong-token-1234');
    expect(agent.stats().connected).toBe(false);
  });

  it('treats an SG_ERR_UNAUTHORIZED answer to its hello the same way', async () => {
    const hub = await startHub({ rejectHelloWith: 'SG_ERR_UNAUTHORIZED' });
    const { records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, token: 'refused-token-5678' }, agents);
    await waitFor('several refused hellos', () => hub.hellos.length >= 3);
    expect(records.filter((record) => record.msg === 'hub refused the agent token').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(records)).not.toContain('refused-token-5678');
  });

  it('drops a hub that stops answering heartbeats and connects again', async () => {
    const hub = await startHub({ autoPong: false });
    const { records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, heartbeatIntervalMs: 200 }, agents);
    await waitFor('a second connection', () => hub.connectionCount >= 2, 10_000);
    expect(records.some((record) => record.msg === 'hub missed a heartbeat; reconnecting')).toBe(true);
  });

  it('sends the lines again after a dropped connection, from the acknowledged offset', async () => {
    const hub = await startHub({ autoAck: false, resume: 'none' });
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    const lines = numberedLines('resent', 0, 10);
    await appendLines(file, lines);
    await waitFor('the lines, unacknowledged', () => hub.linesOf(file).length >= lines.length);
    hub.dropConnections();
    await waitFor('the agent to connect again', () => hub.connectionCount >= 2);
    hub.setAutoAck(true);
    await waitFor('the lines again on the new connection', () => hub.linesOf(file).length >= 2 * lines.length);
    expect(hub.linesOf(file)).toEqual([...lines, ...lines]);
    expect(hub.connectionCount).toBe(2);
    await waitFor('acknowledged', () => agent.stats().inflightBytes === 0 && agent.stats().connected);
  });
});
