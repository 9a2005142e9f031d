import { afterEach, describe, expect, it } from 'vitest';
import { encodeLinesFrame, type HubToAgent, type LinesHeader, type MatchedLine } from '../../../../protocol/node.js';
import { metricValue } from '../../../helpers/http-api.js';
import { startTestHub, TestAgent, TestViewer, type TestHub } from '../../../helpers/hub-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const WEB = { authorization: 'Bearer web-secret-0123456789' };
const DB = { authorization: 'Bearer db-secret-0123456789' };
const TOKENS = { agentTokens: ['web:web-secret-0123456789', 'db:db-secret-0123456789'] };

const hubs: TestHub[] = [];
async function hub(options: Record<string, unknown> = {}): Promise<TestHub> {
  const started = await startTestHub({ ...TOKENS, ...options });
  hubs.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function metrics(h: TestHub): Promise<string> {
  return h.internals.metrics.registry.metrics();
}

async function liveViewer(h: TestHub): Promise<TestViewer> {
  const viewer = await TestViewer.connect(h);
  await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
  await viewer.subscribe('all', { query: '' });
  return viewer;
}

/** A frame with the header written as given, so values JSON.stringify cannot produce (1e999) can be sent. */
function rawFrame(headerJson: string, body: string): Buffer {
  const json = Buffer.from(headerJson);
  const prefix = Buffer.alloc(5);
  prefix[0] = 1;
  prefix.writeUInt32BE(json.length, 1);
  return Buffer.concat([prefix, json, Buffer.from(body)]);
}

function header(fields: Partial<LinesHeader> & Pick<LinesHeader, 'batch'>): LinesHeader {
  return { file: '/var/log/app.log', fileId: 'app#1', offset: 0, endOffset: 0, lineCount: 0, ts: Date.now(), ...fields };
}

async function nextLines(viewer: TestViewer, count: number): Promise<MatchedLine[]> {
  const lines: MatchedLine[] = [];
  while (lines.length < count) {
    const message = await viewer.inbox.next('lines', (m) => m.type === 'matches');
    if (message.type === 'matches') lines.push(...message.lines);
  }
  return lines;
}

describe('agent connections: who may send as which host', () => {
  it('refuses a hello as a host another token owns, and never shows it that host\u2019s files', async () => {
    const h = await hub();
    const { agent: web } = await TestAgent.connect(h, 'web-1', WEB);
    await web.send('/var/log/app.log', ['one', 'two']);
    const { agent: intruder, welcome } = await TestAgent.connect(h, 'web-1', DB);
    expect(welcome).toEqual({ type: 'error', code: 'SG_ERR_FORBIDDEN', message: 'host "web-1" belongs to another agent token' });
    expect(await intruder.peer.closed).toMatchObject({ code: 4403 });
    expect(metricValue(await metrics(h), 'supergrep_agent_hellos_refused_total{reason="owned"}')).toBe(1);
    // The owner reconnecting gets its resume point; the same token as another host gets none of web-1's.
    web.close();
    await web.peer.closed;
    const again = await TestAgent.connect(h, 'web-1', WEB);
    expect(again.welcome).toMatchObject({ type: 'welcome', resume: [{ file: '/var/log/app.log', fileId: '/var/log/app.log#1', offset: 8 }] });
    const dbHost = await TestAgent.connect(h, 'db1', DB);
    expect(dbHost.welcome).toMatchObject({ type: 'welcome', resume: [] });
  });

  it('keeps a host with its owner across a hub restart (the database under --data)', async () => {
    const temp = await makeTempDir('sg-owner-');
    try {
      const first = await startTestHub({ ...TOKENS, dataDir: temp.dir });
      await TestAgent.connect(first, 'web-1', WEB);
      await first.close();
      const second = await startTestHub({ ...TOKENS, dataDir: temp.dir });
      hubs.push(second);
      const { welcome } = await TestAgent.connect(second, 'web-1', DB);
      expect(welcome).toMatchObject({ type: 'error', code: 'SG_ERR_FORBIDDEN' });
    } finally {
      await temp.cleanup();
    }
  });

  it('lets a token listed in agentHosts send only as its hosts', async () => {
    const h = await hub({ agentHosts: { web: ['web-*'] } });
    const { welcome } = await TestAgent.connect(h, 'db1', WEB);
    expect(welcome).toEqual({ type: 'error', code: 'SG_ERR_FORBIDDEN', message: 'this agent token may not send lines as host "db1" (agentHosts)' });
    expect((await TestAgent.connect(h, 'web-7', WEB)).welcome).toMatchObject({ type: 'welcome' });
  });

  it('refuses more hosts per token than maxHostsPerAgentToken with SG_ERR_LIMIT', async () => {
    const h = await hub({ maxHostsPerAgentToken: 2 });
    await TestAgent.connect(h, 'a', DB);
    await TestAgent.connect(h, 'b', DB);
    const { agent, welcome } = await TestAgent.connect(h, 'c', DB);
    expect(welcome).toMatchObject({ type: 'error', code: 'SG_ERR_LIMIT', message: expect.stringContaining('maxHostsPerAgentToken') });
    expect(await agent.peer.closed).toMatchObject({ code: 4429 });
    // A known host reconnecting is not a new one; another token has its own count.
    expect((await TestAgent.connect(h, 'a', DB)).welcome).toMatchObject({ type: 'welcome' });
    expect((await TestAgent.connect(h, 'c', WEB)).welcome).toMatchObject({ type: 'welcome' });
    expect(metricValue(await metrics(h), 'supergrep_agent_hellos_refused_total{reason="host-limit"}')).toBe(1);
  });
});

describe('agent connections: many fake host names', () => {
  it('stops at maxHostsPerAgentToken, and viewers get a sources list under maxSourcesMessageBytes with the totals', { timeout: 20_000 }, async () => {
    const h = await hub({ maxHostsPerAgentToken: 40, maxSourcesMessageBytes: 2048, sourcesIntervalMs: 50 });
    const agents: TestAgent[] = [];
    for (let i = 0; i < 45; i += 1) {
      const { agent, welcome } = await TestAgent.connect(h, `fake-${String(i).padStart(2, '0')}-${'x'.repeat(100)}`, DB);
      if (welcome.type === 'welcome') {
        agents.push(agent);
        await agent.send(`/var/log/${'y'.repeat(200)}.log`, ['line'], { fileId: 'f#1' });
      } else {
        expect(welcome).toMatchObject({ type: 'error', code: 'SG_ERR_LIMIT' });
      }
    }
    expect(agents).toHaveLength(40);
    const viewer = await TestViewer.connect(h);
    const sources = await viewer.inbox.next('a sources message listing the totals', (m) => m.type === 'sources' && m.total?.agents === 40);
    expect(Buffer.byteLength(JSON.stringify(sources))).toBeLessThanOrEqual(2048);
    expect(sources).toMatchObject({ total: { agents: 40, files: 40 } });
  });
});

describe('agent connections: frames', () => {
  it('refuses an empty frame that claims to cover bytes, after acknowledging what came before', async () => {
    const h = await hub();
    const viewer = await liveViewer(h);
    const { agent } = await TestAgent.connect(h, 'web-1', WEB);
    agent.sendFrame('/var/log/app.log', ['kept']);
    agent.peer.socket.send(encodeLinesFrame(header({ batch: 2, fileId: '/var/log/app.log#1', offset: 5, endOffset: 2 ** 53 - 1 }), Buffer.alloc(0)));
    expect(await agent.peer.inbox.next('ack 1', (m) => m.type === 'ack')).toEqual({ type: 'ack', batch: 1 });
    expect(await agent.peer.inbox.next('error', (m) => m.type === 'error')).toMatchObject({ code: 'SG_ERR_PROTOCOL', message: expect.stringContaining('without lines covers') });
    expect(await agent.peer.closed).toMatchObject({ code: 4400 });
    expect((await nextLines(viewer, 1)).map((line) => line.line)).toEqual(['kept']);
    expect(metricValue(await metrics(h), 'supergrep_agent_frames_refused_total{reason="offsets"}')).toBe(1);
    // The hub holds the file up to the real end, not the claimed one.
    const again = await TestAgent.connect(h, 'web-1', WEB);
    expect(again.welcome).toMatchObject({ resume: [{ offset: 5 }] });
  });

  it('gives a batch with an unusable ts the hub\u2019s clock, and counts it', async () => {
    const h = await hub();
    const viewer = await liveViewer(h);
    const { agent } = await TestAgent.connect(h, 'web-1', WEB);
    const values = ['1e300', '-1', 'null', '1e999', '"soon"', '-1e999'];
    const before = Date.now();
    for (const [index, ts] of values.entries()) {
      const body = `line ${index}\n`;
      const json = `{"batch":${index + 1},"file":"/a.log","fileId":"a#1","offset":${index * 7},"endOffset":${(index + 1) * 7},"lineCount":1,"ts":${ts}}`;
      agent.peer.socket.send(rawFrame(json, body));
    }
    const good = Date.now() - 60_000;
    agent.peer.socket.send(rawFrame(`{"batch":7,"file":"/a.log","fileId":"a#1","offset":42,"endOffset":49,"lineCount":1,"ts":${good}}`, 'line 6\n'));
    const lines = await nextLines(viewer, 7);
    expect(lines.map((line) => line.line)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    for (const line of lines.slice(0, 6)) {
      expect(line.ts).toBeGreaterThanOrEqual(before);
      expect(line.ts).toBeLessThanOrEqual(Date.now());
    }
    expect(lines[6]!.ts).toBe(good);
    expect(metricValue(await metrics(h), 'supergrep_agent_timestamps_replaced_total')).toBe(6);
  });

  it('drops and acknowledges lines of files over maxFilesPerAgentHost, telling the agent once, and keeps the connection', async () => {
    const h = await hub({ maxFilesPerAgentHost: 1 });
    const viewer = await liveViewer(h);
    const { agent } = await TestAgent.connect(h, 'web-1', WEB);
    await agent.send('/one.log', ['first']);
    expect(await agent.send('/two.log', ['refused'])).toEqual({ type: 'ack', batch: 2 });
    await agent.send('/two.log', ['refused again']);
    await agent.send('/one.log', ['second']);
    expect((await nextLines(viewer, 2)).map((line) => line.line)).toEqual(['first', 'second']);
    const errors = agent.peer.inbox.messages.filter((m): m is Extract<HubToAgent, { type: 'error' }> => m.type === 'error');
    expect(errors).toEqual([{ type: 'error', code: 'SG_ERR_LIMIT', message: expect.stringContaining('maxFilesPerAgentHost') }]);
    expect(metricValue(await metrics(h), 'supergrep_agent_frames_refused_total{reason="file-limit"}')).toBe(2);
    expect(agent.peer.socket.readyState).toBe(agent.peer.socket.OPEN);
  });
});
