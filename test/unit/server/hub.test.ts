import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type HubToClient } from '../../../protocol/index.js';
import { refusedUpgrade, startTestHub, TestAgent, TestViewer, type TestHub } from '../../helpers/hub-harness.js';

const hubs: TestHub[] = [];
async function hub(options: Record<string, unknown> = {}): Promise<TestHub> {
  const started = await startTestHub(options);
  hubs.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function readyViewer(h: TestHub, options: Parameters<typeof TestViewer.connect>[1] = {}): Promise<TestViewer> {
  const viewer = await TestViewer.connect(h, options);
  await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
  return viewer;
}

async function counterValue(h: TestHub, name: 'clientDroppedLines' | 'duplicateBatches' | 'badPatterns' | 'truncatedLines'): Promise<number> {
  const metric = await h.internals.metrics[name].get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

describe('hub: agent to viewer', () => {
  it('delivers exactly the matching lines, in order, with ranges', async () => {
    const h = await hub();
    const viewer = await TestViewer.connect(h);
    expect(await viewer.inbox.next('welcome')).toMatchObject({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, hubId: h.hubId });
    expect(await viewer.inbox.next('sources')).toEqual({ type: 'sources', agents: [] });
    expect(await viewer.subscribe('errs', { query: 'error' })).toEqual({ type: 'subscribed', sub: 'errs', filter: { query: 'error' } });

    const { agent, welcome } = await TestAgent.connect(h, 'web-1');
    expect(welcome).toMatchObject({ type: 'welcome', hubId: h.hubId, resume: [], limits: { maxLineBytes: 65536 } });
    expect(await agent.send('/var/log/app.log', ['ok 1', 'error: disk full', 'ok 2', 'error: é error'])).toEqual({ type: 'ack', batch: 1 });
    await agent.send('/var/log/app.log', ['nothing', 'last error'], { truncated: [8] });

    const got = await viewer.collect('errs', 3);
    expect(got.map(({ line, ranges }) => [line, ranges])).toEqual([
      ['error: disk full', [[0, 5]]],
      ['error: é error', [[0, 5], [9, 14]]],
      ['last error', [[5, 10]]],
    ]);
    const messages = viewer.inbox.messages.filter((m) => m.type === 'matches');
    const lines = messages.flatMap((m) => (m.type === 'matches' ? m.lines : []));
    expect(lines.map((line) => [line.host, line.file, line.truncated])).toEqual([
      ['web-1', '/var/log/app.log', undefined],
      ['web-1', '/var/log/app.log', undefined],
      ['web-1', '/var/log/app.log', true],
    ]);
    // Ids are hubId-source-position: "error: disk full" starts after "ok 1\n".
    expect(lines[0]!.id).toBe(`${h.hubId}-1-5`);
  });

  it('answers context across batches and replays the backlog before live lines', async () => {
    const h = await hub();
    const { agent } = await TestAgent.connect(h, 'web-1');
    await agent.send('/a.log', ['a0', 'a1 hit', 'a2']);
    await agent.send('/b.log', ['b0 hit']);
    await agent.send('/a.log', ['a3', 'a4 hit']);

    const viewer = await readyViewer(h);
    await viewer.subscribe('s', { query: 'hit' }, 2);
    const backlog = await viewer.inbox.next('backlog', (m) => m.type === 'matches');
    expect(backlog).toMatchObject({ type: 'matches', sub: 's', backlog: true });
    expect(backlog.type === 'matches' && backlog.lines.map((line) => line.line)).toEqual(['b0 hit', 'a4 hit']);

    await agent.send('/a.log', ['a5 hit']);
    const live = await viewer.inbox.next('live', (m) => m.type === 'matches');
    expect(live.type === 'matches' && [live.backlog, live.lines.map((line) => line.line)]).toEqual([undefined, ['a5 hit']]);

    const a1 = `${h.hubId}-1-3`;
    viewer.send({ type: 'context', req: 'r1', id: a1, before: 5, after: 2 });
    expect(await viewer.inbox.next('context', (m) => m.type === 'context')).toMatchObject({
      type: 'context',
      req: 'r1',
      id: a1,
      found: true,
      lines: [{ line: 'a0', id: `${h.hubId}-1-0` }, { line: 'a1 hit', id: a1 }, { line: 'a2' }, { line: 'a3' }],
    });
    viewer.send({ type: 'context', req: 'r2', id: 'otherhub-1-0', before: 1, after: 1 });
    expect(await viewer.inbox.next('context', (m) => m.type === 'context')).toEqual({ type: 'context', req: 'r2', id: 'otherhub-1-0', found: false, lines: [] });
  });

  it('gives resume points to a reconnecting agent and drops batches it already holds', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const first = await TestAgent.connect(h, 'web-1');
    await first.agent.send('/app.log', ['one', 'two'], { fileId: 'ino-1' });
    await viewer.collect('all', 2);
    first.agent.close();
    await first.agent.peer.closed;

    const second = await TestAgent.connect(h, 'web-1');
    expect(second.welcome).toMatchObject({ resume: [{ file: '/app.log', fileId: 'ino-1', offset: 8 }] });
    // Sent again (the agent had not seen the ack): acknowledged, not delivered twice.
    expect(await second.agent.send('/app.log', ['one', 'two'], { fileId: 'ino-1', offset: 0 })).toEqual({ type: 'ack', batch: 1 });
    await second.agent.send('/app.log', ['three'], { fileId: 'ino-1', offset: 8 });
    expect((await viewer.collect('all', 1)).map((line) => line.line)).toEqual(['three']);
    expect(await counterValue(h, 'duplicateBatches')).toBe(1);
  });

  it('acknowledges frames that arrive together with one cumulative ack, covering every batch, lines in order', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent } = await TestAgent.connect(h);
    const socket = (agent.peer.socket as unknown as { _socket: import('node:net').Socket })._socket;
    // Corked: the frames leave in one write, so the hub reads and takes them in during one turn.
    socket.cork();
    const frames = 50;
    for (let b = 1; b <= frames; b += 1) agent.sendFrame('/app.log', [`line ${b}a`, `line ${b}b`]);
    socket.uncork();
    await agent.peer.inbox.next('the last ack', (m) => m.type === 'ack' && m.batch === frames);
    const acks = agent.peer.inbox.messages.flatMap((m) => (m.type === 'ack' ? [m.batch] : []));
    expect(acks.length).toBeLessThan(frames);
    expect(acks).toEqual([...acks].sort((x, y) => x - y));
    expect(new Set(acks).size).toBe(acks.length);
    const lines = (await viewer.collect('all', frames * 2)).map((line) => line.line);
    expect(lines).toEqual(Array.from({ length: frames }, (_, i) => [`line ${i + 1}a`, `line ${i + 1}b`]).flat());
  });

  it('acknowledges what it took in before closing an agent for a bad frame', async () => {
    const h = await hub();
    const { agent } = await TestAgent.connect(h);
    const socket = (agent.peer.socket as unknown as { _socket: import('node:net').Socket })._socket;
    socket.cork();
    for (let b = 1; b <= 5; b += 1) agent.sendFrame('/app.log', [`line ${b}`]);
    agent.peer.socket.send(Buffer.from([9, 9, 9, 9, 9, 9]));
    socket.uncork();
    const error = await agent.peer.inbox.next('error', (m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'SG_ERR_PROTOCOL' });
    const before = agent.peer.inbox.messages.slice(0, agent.peer.inbox.messages.indexOf(error));
    expect(before.filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', batch: 5 });
  });

  it('cuts lines longer than its own limit and marks them truncated', async () => {
    const h = await hub({ maxLineBytes: 10 });
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', ['short', 'ééééééé', 'x'.repeat(30), 'end']);
    const lines = viewer.inbox.next('lines', (m) => m.type === 'matches');
    const message = await lines;
    expect(message.type === 'matches' && message.lines.map((line) => [line.line, line.truncated])).toEqual([
      ['short', undefined],
      ['ééééé', true], // cut on a character boundary, not inside é
      ['x'.repeat(10), true],
      ['end', undefined],
    ]);
    expect(await counterValue(h, 'truncatedLines')).toBe(2);
  });
});

describe('hub: authentication and origin', () => {
  const tokens = { agentTokens: ['agents:agent-secret'], viewerTokens: ['alice:viewer-secret'] };

  it('refuses agents without a valid token with HTTP 401, and a viewer token with 403, before upgrading', async () => {
    const h = await hub(tokens);
    expect(await refusedUpgrade(`${h.wsUrl}/ws/agent`)).toEqual({ status: 401, body: 'supergrep: agent token missing or not valid\n' });
    expect((await refusedUpgrade(`${h.wsUrl}/ws/agent`, { Authorization: 'Bearer nope' })).status).toBe(401);
    expect(await refusedUpgrade(`${h.wsUrl}/ws/agent`, { Authorization: 'Bearer viewer-secret' })).toEqual({
      status: 403,
      body: 'supergrep: this is a viewer or editor token: only agent tokens may send lines\n',
    });
    const { welcome } = await TestAgent.connect(h, 'web-1', { Authorization: 'Bearer agent-secret' });
    expect(welcome.type).toBe('welcome');
  });

  it('refuses viewers with a wrong header (401) or no token in hello (4401), accepts either way of sending a valid one', async () => {
    const h = await hub(tokens);
    expect((await refusedUpgrade(`${h.wsUrl}/ws/client`, { Authorization: 'Bearer nope' })).status).toBe(401);

    const anonymous = await TestViewer.connect(h);
    expect(await anonymous.inbox.next('error')).toMatchObject({ type: 'error', code: 'SG_ERR_UNAUTHORIZED' });
    expect((await anonymous.peer.closed).code).toBe(4401);

    const wrongHello = await TestViewer.connect(h, { token: 'nope' });
    expect((await wrongHello.peer.closed).code).toBe(4401);

    const byHello = await TestViewer.connect(h, { token: 'viewer-secret' });
    expect(await byHello.inbox.next('welcome')).toMatchObject({ type: 'welcome', viewer: 'alice' });
    const byHeader = await TestViewer.connect(h, { headers: { Authorization: 'Bearer viewer-secret' } });
    expect(await byHeader.inbox.next('welcome')).toMatchObject({ type: 'welcome', viewer: 'alice' });
  });

  it('protects /metrics and /api with the viewer token', async () => {
    const h = await hub(tokens);
    const denied = await fetch(`${h.url}/metrics`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ error: { code: 'SG_ERR_UNAUTHORIZED' } });
    expect((await fetch(`${h.url}/api/pins`)).status).toBe(401);
    const allowed = await fetch(`${h.url}/metrics`, { headers: { Authorization: 'Bearer viewer-secret' } });
    expect(allowed.status).toBe(200);
    const text = await allowed.text();
    for (const name of ['supergrep_agent_lines_total', 'supergrep_client_dropped_lines_total', 'supergrep_viewers', 'process_cpu_user_seconds_total']) {
      expect(text).toContain(name);
    }
    const health = await fetch(`${h.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', hubId: h.hubId, agents: 0, viewers: 0 });
  });

  it('refuses browser upgrades from other origins with 403', async () => {
    const h = await hub({ allowedOrigins: ['https://dash.example.com'] });
    expect((await refusedUpgrade(`${h.wsUrl}/ws/client`, { Origin: 'http://evil.example' })).status).toBe(403);
    await readyViewer(h, { headers: { Origin: h.url } });
    await readyViewer(h, { headers: { Origin: 'https://dash.example.com' } });
  });

  it('answers 404 for other upgrade paths', async () => {
    const h = await hub();
    expect((await refusedUpgrade(`${h.wsUrl}/ws/nope`)).status).toBe(404);
  });
});

describe('hub: bad input closes only the connection that sent it', () => {
  it.each<[string, unknown]>([
    ['not JSON', '{nope'],
    ['an unknown type', { type: 'shout' }],
    ['a schema violation', { type: 'subscribe', sub: '', filter: { query: 'x' } }],
    ['binary data', Buffer.from([1, 2, 3])],
  ])('a viewer sending %s gets SG_ERR_PROTOCOL and 4400 while another keeps receiving', async (_name, bad) => {
    const h = await hub();
    const good = await readyViewer(h);
    await good.subscribe('s', { query: '' });
    const bad1 = await readyViewer(h);
    if (Buffer.isBuffer(bad)) bad1.peer.socket.send(bad);
    else bad1.send(bad);
    expect(await bad1.inbox.next('error', (m) => m.type === 'error')).toMatchObject({ type: 'error', code: 'SG_ERR_PROTOCOL' });
    expect((await bad1.peer.closed).code).toBe(4400);

    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', ['still here']);
    expect((await good.collect('s', 1)).map((line) => line.line)).toEqual(['still here']);
  });

  it('closes a viewer whose first message is not hello', async () => {
    const h = await hub();
    const viewer = await TestViewer.connect(h, { hello: false });
    viewer.send({ type: 'unsubscribe', sub: 'x' });
    expect(await viewer.inbox.next('error')).toMatchObject({ code: 'SG_ERR_PROTOCOL', message: expect.stringContaining('hello') });
    expect((await viewer.peer.closed).code).toBe(4400);
  });

  it('closes an agent that sends a garbage frame, and keeps serving other agents', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    await viewer.subscribe('s', { query: '' });
    const { agent: bad } = await TestAgent.connect(h, 'bad-host');
    bad.peer.socket.send(Buffer.from([9, 9, 9, 9, 9, 9]));
    expect(await bad.peer.inbox.next('error', (m) => m.type === 'error')).toMatchObject({ code: 'SG_ERR_PROTOCOL' });
    expect((await bad.peer.closed).code).toBe(4400);
    const { agent: good } = await TestAgent.connect(h, 'good-host');
    await good.send('/app.log', ['fine']);
    expect((await viewer.collect('s', 1)).map((line) => line.line)).toEqual(['fine']);
  });

  it('refuses an agent speaking another protocol version with 4426', async () => {
    const h = await hub();
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`${h.wsUrl}/ws/agent`);
    const messages: HubToClient[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as HubToClient));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, host: 'h', agentVersion: 'x' }));
    const code = await new Promise<number>((resolve) => socket.once('close', resolve));
    expect(code).toBe(4426);
    expect(messages).toMatchObject([{ type: 'error', code: 'SG_ERR_VERSION' }]);
  });
});

describe('hub: subscriptions', () => {
  it('refuses a bad pattern with a friendly message and keeps the connection and other subscriptions', async () => {
    const h = await hub({ maxSubscriptionsPerViewer: 2 });
    const viewer = await readyViewer(h);
    await viewer.subscribe('good', { query: 'x' });
    expect(await viewer.subscribe('bad', { query: '(a)\\1' })).toEqual({
      type: 'error',
      code: 'SG_ERR_BAD_REGEX',
      sub: 'bad',
      message: 'invalid pattern "(a)\\\\1": backreferences are not supported by RE2',
    });
    expect(await counterValue(h, 'badPatterns')).toBe(1);
    await viewer.subscribe('second', { query: 'y' });
    expect(await viewer.subscribe('third', { query: 'z' })).toMatchObject({ type: 'error', code: 'SG_ERR_LIMIT', sub: 'third' });
    // Replacing an existing subscription is not a new one.
    expect(await viewer.subscribe('second', { query: 'x y' })).toMatchObject({ type: 'subscribed', sub: 'second' });

    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', ['x y', 'y']);
    const got = await viewer.collect('good', 1);
    expect(got.map((line) => line.line)).toEqual(['x y']);
    expect((await viewer.collect('second', 1)).map((line) => line.line)).toEqual(['x y']);
  });
});

describe('hub: slow viewers', () => {
  it('drops the oldest lines of a viewer that stops reading, tells it after it resumes, and leaves other viewers whole', async () => {
    const h = await hub({ clientQueueBytes: 64 * 1024, clientSocketHighWaterBytes: 16 * 1024, clientFlushIntervalMs: 5 });
    const fast = await readyViewer(h);
    await fast.subscribe('s', { query: '' });
    const slow = await readyViewer(h);
    await slow.subscribe('s', { query: '' });
    const socket = (slow.peer.socket as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();

    const { agent } = await TestAgent.connect(h);
    const batchLines = 500;
    const line = (b: number, i: number) => `batch ${b} line ${i} ${'.'.repeat(80)}`;
    let sent = 0;
    // Until the hub reports dropping; the bound keeps the loop finite even if it never did.
    for (let b = 0; b < 400 && (await counterValue(h, 'clientDroppedLines')) === 0; b += 1) {
      await agent.send('/app.log', Array.from({ length: batchLines }, (_, i) => line(b, i)));
      sent += batchLines;
      // Pace on the fast viewer: it has everything before the next batch goes out.
      await fast.collect('s', batchLines);
    }
    expect(await counterValue(h, 'clientDroppedLines')).toBeGreaterThan(0);
    const lastBatch = sent / batchLines - 1;

    socket.resume();
    const dropped = await slow.inbox.next('dropped', (m) => m.type === 'dropped');
    expect(dropped).toMatchObject({ type: 'dropped', sub: 's', count: expect.any(Number) });
    // Wait for the newest line: the slow viewer lost old lines, never the latest ones.
    const newest = line(lastBatch, batchLines - 1);
    await slow.inbox.next('the newest line', (m) => m.type === 'matches' && m.lines.at(-1)?.line === newest);
    const slowLines = slow.inbox.messages.flatMap((m) => (m.type === 'matches' ? m.lines : []));
    const droppedTotal = slow.inbox.messages.reduce((sum, m) => sum + (m.type === 'dropped' ? m.count : 0), 0);
    expect(slowLines.length + droppedTotal).toBe(sent);
    // Order is kept around the gap.
    const ids = slowLines.map((l) => Number(l.id.split('-').at(-1)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The fast viewer got every line and no dropped notice.
    expect(fast.inbox.messages.some((m) => m.type === 'dropped')).toBe(false);
    expect(fast.inbox.messages.flatMap((m) => (m.type === 'matches' ? m.lines : []))).toHaveLength(sent);
  }, 60_000);
});

describe('hub: heartbeats and time limits', () => {
  it('terminates a peer that stops answering pings and keeps one that answers', async () => {
    const h = await hub({ heartbeatIntervalMs: 50 });
    const answering = await readyViewer(h);
    const silent = await TestViewer.connect(h, { ws: { autoPong: false } });
    const { code } = await silent.peer.closed;
    expect(code).toBe(1006); // terminated, no closing handshake
    // Two more pings answered: the answering peer survives rounds in which the silent one died.
    await once(answering.peer.socket, 'ping');
    await once(answering.peer.socket, 'ping');
    expect(answering.peer.socket.readyState).toBe(answering.peer.socket.OPEN);
  });

  it('closes a connection that sends no hello in time', async () => {
    const h = await hub({ helloTimeoutMs: 50 });
    const viewer = await TestViewer.connect(h, { hello: false });
    expect(await viewer.inbox.next('error')).toMatchObject({ code: 'SG_ERR_PROTOCOL', message: 'no hello within 50 ms' });
    expect((await viewer.peer.closed).code).toBe(4400);
  });

  it('closes a viewer that sends a message over the size limit (1009)', async () => {
    const h = await hub({ maxClientMessageBytes: 1024 });
    const viewer = await readyViewer(h);
    viewer.send({ type: 'subscribe', sub: 's', filter: { query: 'x'.repeat(1000), exclude: 'y'.repeat(1000) } });
    expect((await viewer.peer.closed).code).toBe(1009);
  });

  it('sends every viewer the sources with rates on a timer', async () => {
    const h = await hub({ sourcesIntervalMs: 30 });
    const viewer = await readyViewer(h);
    const { agent } = await TestAgent.connect(h, 'web-7');
    await agent.send('/var/log/app.log', ['a', 'b', 'c']);
    // A sources message may go out between the agent's hello and its first batch (no files yet).
    const sources = await viewer.inbox.next('sources with web-7', (m) => m.type === 'sources' && (m.agents[0]?.files.length ?? 0) > 0);
    expect(sources).toMatchObject({
      type: 'sources',
      agents: [{ host: 'web-7', connected: true, files: [{ path: '/var/log/app.log', linesPerSec: expect.any(Number), lastTs: expect.any(Number) }] }],
    });
    agent.close();
    await viewer.inbox.next('web-7 disconnected', (m) => m.type === 'sources' && m.agents[0]?.connected === false);
  });
});

describe('hub: HTTP', () => {
  it('serves the UI with a fallback to index.html, and JSON errors under /api', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'supergrep-ui-'));
    try {
      await writeFile(join(dir, 'index.html'), '<html>app</html>');
      await writeFile(join(dir, 'app.js'), 'console.log(1)');
      const h = await hub({ uiDir: dir });
      expect(await (await fetch(`${h.url}/app.js`)).text()).toBe('console.log(1)');
      const page = await fetch(`${h.url}/captures/abc`);
      expect([page.status, await page.text()]).toEqual([200, '<html>app</html>']);
      const missing = await fetch(`${h.url}/api/nothing`);
      expect([missing.status, await missing.json()]).toEqual([404, { error: { code: 'SG_ERR_NOT_FOUND', message: 'no API route GET /api/nothing' } }]);
      const badJson = await fetch(`${h.url}/api/pins`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toMatchObject({ error: { code: 'SG_ERR_BAD_REQUEST', message: expect.stringContaining('not valid JSON') } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so when the UI is not built', async () => {
    const h = await hub({ uiDir: join(tmpdir(), 'supergrep-no-such-ui') });
    const page = await fetch(`${h.url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build');
  });
});
