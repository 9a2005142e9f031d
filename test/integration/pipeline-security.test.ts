import { writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const AGENT_TOKEN = 'agent-secret-0123456789';
const VIEWER_TOKEN = 'viewer-secret-9876543210';

/** Tokens, hostile patterns and malformed frames against a real hub process. */
describe('pipeline security baseline', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  const processes: CliProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    hub = await startHub({
      dataDir: join(dir, 'hub'),
      env: { SUPERGREP_AGENT_TOKEN: `agents:${AGENT_TOKEN}`, SUPERGREP_VIEWER_TOKEN: `ops:${VIEWER_TOKEN}` },
    });
    processes.push(hub.process);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  it('refuses an agent with a wrong token, accepts the right one, and never logs either', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const wrong = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'a1.json'), token: 'wrong-token-value' });
    processes.push(wrong);
    await wrong.waitForLog('the refusal', (r) => typeof r.msg === 'string' && /token/i.test(r.msg) && Number(r.level) >= 40);
    const right = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'a2.json'), env: { SUPERGREP_TOKEN: AGENT_TOKEN } });
    processes.push(right);
    await waitForFollowing(right, log);
    const viewer = await new Collector(hub.url, { query: 'secret' }, { token: VIEWER_TOKEN }).ready();
    await appendLines(log, ['a secret line']);
    await viewer.waitForCount(1);
    viewer.close();
    await Promise.all(processes.map((p) => p.stop()));
    const everything = processes.map((p) => p.output()).join('\n');
    expect(everything).not.toContain(AGENT_TOKEN);
    expect(everything).not.toContain(VIEWER_TOKEN);
    expect(everything).not.toContain('wrong-token-value');
  });

  it('answers 401 to the API and to viewers without a valid token', async () => {
    expect((await fetch(`${hub.url}/api/pins`)).status).toBe(401);
    expect((await fetch(`${hub.url}/api/pins`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${hub.url}/api/pins`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } })).status).toBe(200);
    const viewer = new Collector(hub.url, { query: 'x' }, { token: 'nope' });
    await expect(viewer.ready()).rejects.toThrow(/401|token/i);
    viewer.close();
    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', 'nope', 'x']);
    processes.push(tail);
    const { code } = await tail.exited;
    expect(code).toBe(1);
    expect(tail.stderrLines.join('\n')).toMatch(/refused the viewer token/);
  });

  it('refuses browser upgrades from a foreign origin', async () => {
    const socket = new WebSocket(`${hub.wsUrl}/ws/client`, { headers: { origin: 'https://evil.example' } });
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('keeps matching fast with a catastrophic-backtracking pattern over 30 KB lines', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'a.json'), token: AGENT_TOKEN });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const evil = await new Collector(hub.url, { query: '(a+)+$' }, { token: VIEWER_TOKEN }).ready();
    const plain = await new Collector(hub.url, { query: 'done' }, { token: VIEWER_TOKEN }).ready();
    const hostile = Array.from({ length: 20 }, () => `${'a'.repeat(30_000)}!`);
    await appendLines(log, [...hostile, 'aaaa', 'done']);
    // A backtracking engine would need ~2^30000 steps for the first line alone; RE2 is linear.
    await plain.waitForCount(1, 20_000);
    await evil.waitForCount(1, 20_000);
    // Every hostile line ends in '!', so only the short all-'a' line matches.
    expect(evil.texts()).toEqual(['aaaa']);
    evil.close();
    plain.close();
  });

  it('closes only the connection that sends a malformed frame', async () => {
    const good = await new Collector(hub.url, { query: 'x' }, { token: VIEWER_TOKEN }).ready();
    const closes: number[] = [];
    for (const payload of ['not json', '{"type":"subscribe"}', '{"type":"warp"}', Buffer.from([0, 1, 2])]) {
      const bad = new WebSocket(`${hub.wsUrl}/ws/client`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
      await new Promise((resolve) => bad.once('open', resolve));
      bad.send(payload);
      closes.push(await new Promise<number>((resolve) => bad.once('close', (code) => resolve(code))));
    }
    expect(closes).toEqual([4400, 4400, 4400, 4400]);
    const agentSocket = new WebSocket(`${hub.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
    await new Promise((resolve) => agentSocket.once('open', resolve));
    agentSocket.send(Buffer.from('garbage binary frame'));
    await new Promise((resolve) => agentSocket.once('close', resolve));
    expect(hub.process.running).toBe(true);
    expect(good.client.connected).toBe(true);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    await waitFor('the protocol errors to be logged', () => hub.process.logs().filter((r) => /malformed|protocol/i.test(String(r.msg))).length >= 4);
    good.close();
  });
});
