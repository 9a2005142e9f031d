import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLinesFrame, PROTOCOL_VERSION, type HubToAgent, type LinesHeader } from '../../protocol/node.js';
import { CliProcess } from '../helpers/cli-process.js';
import { metricValue } from '../helpers/http-api.js';
import { FAST_AGENT, waitForCheckpointAtEnd, writeJson } from '../helpers/reliability.js';
import { appendLines, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const WEB_SECRET = 'web-agent-secret-0123456789';
const DB_SECRET = 'db-agent-secret-0123456789';
const VIEWER_TOKEN = 'viewer-secret-0123456789';
const HUB_ENV = { SUPERGREP_AGENT_TOKEN: `web:${WEB_SECRET},db:${DB_SECRET}`, SUPERGREP_VIEWER_TOKEN: `ops:${VIEWER_TOKEN}` };

/** One sample from the hub's /metrics, read with the viewer token. */
async function hubMetric(hubUrl: string, series: string): Promise<number | undefined> {
  const response = await fetch(`${hubUrl}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  return metricValue(await response.text(), series);
}

/** A hand-written agent: a raw socket speaking the agent protocol with whatever it likes. */
class RawAgent {
  readonly messages: HubToAgent[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as HubToAgent));
    this.closed = once(socket, 'close').then(([code]) => code as number);
  }

  static async hello(hub: TestHub, secret: string, host: string): Promise<RawAgent> {
    const socket = new WebSocket(`${hub.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${secret}` } });
    const agent = new RawAgent(socket);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host, agentVersion: 'hostile' }));
    await waitFor('the hub to answer the hello', () => agent.messages[0]);
    return agent;
  }

  send(header: LinesHeader, body: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(encodeLinesFrame(header, Buffer.from(body)));
  }
}

describe('an agent token cannot speak for another host', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let log: string;
  let stateFile: string;
  let agentConfig: string;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];
  const sockets: RawAgent[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-identity-'));
    log = join(dir, 'app.log');
    stateFile = join(dir, 'state.json');
    await writeFile(log, '');
    agentConfig = await writeJson(join(dir, 'agent.json'), FAST_AGENT);
    hub = await startHub({ dataDir: join(dir, 'hub'), env: HUB_ENV });
    processes.push(hub.process);
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.socket.terminate();
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await cleanup();
  });

  function startWeb1(hubUrl: string): CliProcess {
    const agent = startAgent({ hubs: [hubUrl], paths: [log], stateFile, name: 'web-1', token: WEB_SECRET, args: ['--config', agentConfig] });
    processes.push(agent);
    return agent;
  }

  async function hostile(target: TestHub, host: string): Promise<RawAgent> {
    const agent = await RawAgent.hello(target, DB_SECRET, host);
    sockets.push(agent);
    return agent;
  }

  it('refuses every step of the silencing attack, and web-1 loses no line', { timeout: 90_000 }, async () => {
    const agent = startWeb1(hub.wsUrl);
    await waitForFollowing(agent, log);
    const viewer = await new Collector(hub.url, { query: '^web ', hosts: ['web-1'] }, { token: VIEWER_TOKEN }).ready();
    collectors.push(viewer);
    const expected = numbered('web', 50);
    await appendLines(log, expected.slice(0, 20));
    await viewer.waitForCount(20);
    await waitForCheckpointAtEnd(stateFile, log);
    // The attacker is assumed to know web-1's file id (inode in hex and generation, as the agent sends it).
    const [entry] = (JSON.parse(await readFile(stateFile, 'utf8')) as { files: Array<{ ino: string; gen: string }> }).files;
    const fileId = `${BigInt(entry!.ino).toString(16)}.${entry!.gen}`;

    // 1. Hello as web-1 with the db token: refused, and no welcome hands out web-1's files.
    const asWeb1 = await hostile(hub, 'web-1');
    expect(asWeb1.messages).toEqual([{ type: 'error', code: 'SG_ERR_FORBIDDEN', message: 'host "web-1" belongs to another agent token' }]);
    expect(await asWeb1.closed).toBe(4403);
    // 2. Its frame for web-1's file (even with the id guessed right) never lands: the socket is gone.
    asWeb1.send({ batch: 1, file: log, fileId, offset: 0, endOffset: 2 ** 53 - 1, lineCount: 0, ts: Date.now() }, '');
    // 3. As its own host it learns nothing of web-1, and an empty frame that claims bytes is refused.
    const asDb1 = await hostile(hub, 'db1');
    expect(asDb1.messages).toEqual([expect.objectContaining({ type: 'welcome', resume: [] })]);
    asDb1.send({ batch: 1, file: log, fileId, offset: 0, endOffset: 2 ** 53 - 1, lineCount: 0, ts: Date.now() }, '');
    expect(await asDb1.closed).toBe(4400);
    expect(asDb1.messages.at(-1)).toMatchObject({ type: 'error', code: 'SG_ERR_PROTOCOL', message: expect.stringContaining('without lines covers') });
    expect(await hubMetric(hub.url, 'supergrep_agent_hellos_refused_total{reason="owned"}')).toBe(1);
    expect(await hubMetric(hub.url, 'supergrep_agent_frames_refused_total{reason="offsets"}')).toBe(1);
    const refusal = hub.process.logs().find((record) => record.reason === 'owned');
    expect(refusal).toMatchObject({ level: 40, host: 'web-1', tokenName: 'db' });

    // web-1, still connected, goes on: its batches are not taken for duplicates (where the attack
    // used to bite: acknowledged, never delivered, checkpoint past them).
    await appendLines(log, expected.slice(20, 35));
    await viewer.waitForCount(35);
    // And after a reconnect, whose welcome carries its resume points.
    await agent.stop();
    startWeb1(hub.wsUrl);
    await appendLines(log, expected.slice(35));
    await viewer.waitForCount(50);
    await waitForCheckpointAtEnd(stateFile, log);
    expect(viewer.texts()).toEqual(expected);
    expect(await hubMetric(hub.url, 'supergrep_duplicate_batches_total')).toBe(0);
  });

  it('keeps web-1 with its token across a hub restart, before the real agent is back', { timeout: 90_000 }, async () => {
    const agent = startWeb1(hub.wsUrl);
    await waitForFollowing(agent, log);
    await appendLines(log, numbered('web', 10));
    await waitForCheckpointAtEnd(stateFile, log);
    await agent.stop();
    await hub.process.stop();
    await appendLines(log, numbered('web', 10, 10));

    hub = await startHub({ dataDir: join(dir, 'hub'), env: HUB_ENV, port: hub.port });
    processes.push(hub.process);
    const first = await hostile(hub, 'web-1');
    expect(first.messages[0]).toMatchObject({ type: 'error', code: 'SG_ERR_FORBIDDEN' });
    const viewer = await new Collector(hub.url, { query: '^web ', hosts: ['web-1'] }, { token: VIEWER_TOKEN }).ready();
    collectors.push(viewer);
    startWeb1(hub.wsUrl);
    await viewer.waitForCount(10);
    await waitForCheckpointAtEnd(stateFile, log);
    expect(viewer.texts()).toEqual(numbered('web', 10, 10));
  });

  it('gives lines sent with an unusable ts the hub\u2019s time, and tail --json prints them', { timeout: 60_000 }, async () => {
    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', VIEWER_TOKEN, '--json', '--backlog', '100', '--host', 'clock-*', '^tick']);
    processes.push(tail);
    const agent = await hostile(hub, 'clock-broken');
    const values = [1e300, -1, Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1];
    const before = Date.now();
    let offset = 0;
    for (const [index, ts] of values.entries()) {
      const body = `tick ${index}\n`;
      agent.send({ batch: index + 1, file: '/clock.log', fileId: 'c#1', offset, endOffset: offset + body.length, lineCount: 1, ts }, body);
      offset += body.length;
    }
    await waitFor('every tick printed', () => tail.stdoutLines.length >= values.length || !tail.running, 20_000);
    const records = tail.stdoutLines.map((line) => JSON.parse(line) as { line: string; ts: number; time: string });
    expect(records.map((record) => record.line)).toEqual(values.map((_, index) => `tick ${index}`));
    for (const record of records) {
      expect(record.ts).toBeGreaterThanOrEqual(before);
      expect(record.ts).toBeLessThanOrEqual(Date.now());
      expect(new Date(record.time).getTime()).toBe(record.ts);
    }
    expect(await hubMetric(hub.url, 'supergrep_agent_timestamps_replaced_total')).toBe(values.length);
    // A viewer that connects later gets the same sane times from the backlog.
    const late = await new Collector(hub.url, { query: '^tick' }, { token: VIEWER_TOKEN, backlog: 100 }).ready();
    collectors.push(late);
    await late.waitForCount(values.length);
    expect(late.lines.every((line) => line.ts >= before && line.ts <= Date.now())).toBe(true);
    expect(tail.running).toBe(true);
  });
});
