import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Capture, CaptureCreated } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { startTestHub, TestAgent, TestViewer, type TestHub as InProcessHub } from '../helpers/hub-harness.js';
import { api, metricValue } from '../helpers/http-api.js';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const AGENT_TOKEN = 'agent-secret-redaction-01';
/** The name the hubs below give AGENT_TOKEN; only `redaction.trustedAgents` listing it makes its redaction trusted. */
const AGENT_TOKEN_NAME = 'edge';
const EDITOR_TOKEN = 'editor-secret-redaction-02';

/** Secrets as they appear in real logs; none may ever leave the hub. */
const SECRETS = {
  bearer: 'eyJhbGciOiJSUzI1NiJ9-session-7f3a9c2b1d',
  apiKey: 'k3y-0f9e8d7c6b5a4938',
  aws: 'AKIAQX5EXAMPLE7KEY42',
  urlPassword: 'pa55w0rd-in-url',
  card: '4111 1111 1111 1111',
  custom: 'EMP-482913',
};

const SECRET_LINES = [
  `10.0.0.7 "GET /api/orders HTTP/1.1" status=200 Authorization: Bearer ${SECRETS.bearer}`,
  `calling upstream https://svc.example/v1?api_key=${SECRETS.apiKey}&page=2`,
  `boto3 using credentials ${SECRETS.aws} for s3`,
  `db connect postgres://app:${SECRETS.urlPassword}@db.internal:5432/orders`,
  `payment accepted card=${SECRETS.card} amount=12.00`,
  `badge scanned id=${SECRETS.custom}`,
];

/** SECRET_LINES as every client must see them. */
const REDACTED_LINES = [
  '10.0.0.7 "GET /api/orders HTTP/1.1" status=200 Authorization: Bearer [REDACTED]',
  'calling upstream https://svc.example/v1?api_key=[REDACTED]&page=2',
  'boto3 using credentials [REDACTED] for s3',
  'db connect postgres://app:[REDACTED]@db.internal:5432/orders',
  'payment accepted card=[REDACTED] amount=12.00',
  'badge scanned id=[REDACTED]',
];

const EMPLOYEE_ID_RULE = { name: 'employee-id', pattern: '\\bEMP-\\d{6}\\b' };

function leaked(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret) || (secret === SECRETS.card && text.includes(secret.replaceAll(' ', ''))))
    .map(([name]) => name);
}

/**
 * A secret written to a tailed file never reaches a client (live, backlog, context, tail), a
 * capture, or the hub's logs: the real CLI, real files, real sockets.
 */
describe('secrets never leave the hub', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  const processes: CliProcess[] = [];

  /** A hub with the built-in rules and EMPLOYEE_ID_RULE, plus `redaction` options. */
  async function startRedactingHub(redaction: Record<string, unknown> = {}): Promise<TestHub> {
    const config = join(dir, 'hub.json');
    await writeFile(config, JSON.stringify({ redaction: { rules: [EMPLOYEE_ID_RULE], ...redaction } }));
    const started = await startHub({
      dataDir: join(dir, 'hub'),
      args: ['--config', config, '--log-level', 'debug'],
      env: { SUPERGREP_AGENT_TOKEN: `${AGENT_TOKEN_NAME}:${AGENT_TOKEN}`, SUPERGREP_EDITOR_TOKEN: `ed:${EDITOR_TOKEN}` },
    });
    processes.push(started.process);
    return started;
  }

  /** An agent following a new, empty app.log for `hub`. */
  async function startFollowingAgent(args: string[] = []): Promise<{ log: string; agent: CliProcess }> {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent.json'), token: AGENT_TOKEN, args });
    processes.push(agent);
    await waitForFollowing(agent, log);
    return { log, agent };
  }

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  it('live, backlog, context, tail, captures, hub logs', async () => {
    hub = await startRedactingHub({ trustedAgents: [AGENT_TOKEN_NAME] });
    const { log, agent } = await startFollowingAgent();

    // Live: everything, and filters that try to find the secrets by matching them.
    const everything = await new Collector(hub.url, { query: '' }, { token: EDITOR_TOKEN }).ready();
    const probes = await Promise.all(
      Object.values(SECRETS).map((secret) => new Collector(hub.url, { query: `${secret.slice(0, 8).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|END-OF-TEST` }, { token: EDITOR_TOKEN }).ready()),
    );
    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', EDITOR_TOKEN, '--json', '']);
    processes.push(tail);
    await waitFor('tail to subscribe', () => hub.process.logs().filter((r) => r.msg === 'viewer connected').length >= 2 + probes.length);
    // The hub logs a refused pattern with its reason; a secret typed into a pattern must not reach the log either.
    const badPattern = new Collector(hub.url, { query: `(Bearer ${SECRETS.bearer}` }, { token: EDITOR_TOKEN });
    await expect(badPattern.ready()).rejects.toThrow(/SG_ERR_BAD_REGEX/);
    badPattern.close();

    await appendLines(log, ['before the secrets', ...SECRET_LINES, 'END-OF-TEST']);
    await everything.waitForCount(SECRET_LINES.length + 2);
    for (const probe of probes) await waitFor('a probe to see the end marker', () => probe.texts().includes('END-OF-TEST'));
    await tail.waitForStdout('tail to print the end marker', (line) => line.includes('END-OF-TEST'));

    const live = everything.texts();
    expect(live[1]).toBe('10.0.0.7 "GET /api/orders HTTP/1.1" status=200 Authorization: Bearer [REDACTED]');
    expect(live.slice(1, -1)).toEqual(REDACTED_LINES);
    // A filter that matches a secret's text finds nothing: only the end marker.
    for (const probe of probes) expect(probe.texts()).toEqual(['END-OF-TEST']);

    // Backlog replay and context.
    const later = await new Collector(hub.url, { query: '' }, { token: EDITOR_TOKEN, backlog: 100 }).ready();
    await later.waitForCount(SECRET_LINES.length + 2);
    const context = await later.client.context(later.lines[0]!.id, 0, 20);
    expect(context.lines.map((line) => line.line)).toEqual(live);

    // A capture of the lines as delivered, plus lines a client pasted in raw.
    const created = await api<CaptureCreated>(hub.url, 'POST', '/api/captures', {
      token: EDITOR_TOKEN,
      json: {
        title: 'incident',
        lines: [...everything.lines, ...SECRET_LINES.map((line, i) => ({ host: 'pasted', file: 'f', ts: i, line }))].map(({ host, file, ts, line }) => ({ host, file, ts, line })),
      },
    });
    expect(created.status).toBe(201);
    const capture = await api<Capture>(hub.url, 'GET', `/api/captures/${created.body.id}`, { token: EDITOR_TOKEN });
    const markdown = await api(hub.url, 'GET', `/api/captures/${created.body.id}.md`, { token: EDITOR_TOKEN });

    const metrics = (await api(hub.url, 'GET', '/metrics', { token: EDITOR_TOKEN })).text;
    expect(metricValue(metrics, 'supergrep_redactions_total{rule="bearer-token"}')).toBe(2);
    expect(metricValue(metrics, 'supergrep_redactions_total{rule="employee-id"}')).toBe(2);
    expect(metricValue(metrics, 'supergrep_redactions_total{rule="card-number"}')).toBe(2);
    // The agent applied the rules the hub offered (the custom one too), and its token is trusted, so
    // the hub scanned nothing.
    expect(metricValue(metrics, 'supergrep_redaction_scans_total{at="agent"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'supergrep_redaction_scans_total{at="hub"}')).toBeUndefined();
    expect(agent.logs().some((r) => r.msg === "redacting lines with the hub's rules before sending them")).toBe(true);

    for (const collector of [everything, later, ...probes]) collector.close();
    await Promise.all(processes.map((p) => p.stop()));
    const clientSaw = [
      JSON.stringify([everything.lines, later.lines, context, probes.map((p) => p.lines)]),
      tail.stdoutLines.join('\n'),
      JSON.stringify(capture.body),
      markdown.text,
    ].join('\n');
    expect(leaked(clientSaw)).toEqual([]);
    const hubLog = hub.process.output();
    expect(hubLog).toContain('bad pattern');
    expect(leaked(hubLog)).toEqual([]);
    // The check itself can fail: the file on disk does hold every secret.
    expect(leaked(SECRET_LINES.join('\n')).sort()).toEqual(Object.keys(SECRETS).sort());
  });

  // With `redaction.atAgents: false` the agent sends lines as written and the hub scans every batch.
  // With it on, an agent whose token is not in redaction.trustedAgents redacts with the hub's rules,
  // but the hub scans its batches all the same (and counts what the agent replaced).
  it.each([
    { name: 'when only the hub redacts', atAgents: false },
    { name: 'when the agent redacts but its token is not trusted', atAgents: true },
  ])('gives viewers the same redacted lines, scanned at the hub, $name', async ({ atAgents }) => {
    hub = await startRedactingHub({ atAgents });
    const { log, agent } = await startFollowingAgent();
    const everything = await new Collector(hub.url, { query: '' }, { token: EDITOR_TOKEN }).ready();
    await appendLines(log, SECRET_LINES);
    await everything.waitForCount(SECRET_LINES.length);
    expect(everything.texts()).toEqual(REDACTED_LINES);
    const metrics = (await api(hub.url, 'GET', '/metrics', { token: EDITOR_TOKEN })).text;
    expect(metricValue(metrics, 'supergrep_redaction_scans_total{at="hub"}')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'supergrep_redaction_scans_total{at="agent"}')).toBeUndefined();
    expect(metricValue(metrics, 'supergrep_redactions_total{rule="employee-id"}')).toBe(1);
    expect(agent.logs().some((r) => r.msg === "redacting lines with the hub's rules before sending them")).toBe(atAgents);
    everything.close();
  });

  // A line longer than the agent's limit is cut there, through a secret: what is left of the secret
  // is too short for its rule, and must not reach a viewer. The agent hides it (its token is trusted,
  // so the hub does not scan again); with atAgents off, the hub hides it in the agent's cut lines.
  it.each([
    ['the agent', { trustedAgents: [AGENT_TOKEN_NAME] }, 'agent'],
    ['the hub', { atAgents: false }, 'hub'],
  ] as const)('hides what is left of a secret in a line the agent cut, at %s', async (_where, redaction, at) => {
    hub = await startRedactingHub(redaction);
    const { log } = await startFollowingAgent(['--max-line-bytes', '1024']);
    const everything = await new Collector(hub.url, { query: '' }, { token: EDITOR_TOKEN }).ready();
    // 11 of the key's 20 characters, and 12 of the card's 16 digits, before the cut at byte 1024.
    const key = 'AKIAQX5EXAMPLE7KEY42';
    const card = '4111 1111 1111 1111';
    const filler = (keep: number) => 'x'.repeat(1024 - keep - 1);
    await appendLines(log, [`${filler(11)} ${key} rest`, `${filler(14)} ${card} rest`, 'END-OF-TEST']);
    await everything.waitForCount(3);
    const [keyLine, cardLine] = everything.texts();
    expect(keyLine).toBe(`${filler(11)} [REDACTED]`);
    expect(cardLine).toBe(`${filler(14)} [REDACTED]`);
    expect(everything.lines.slice(0, 2).every((line) => line.truncated === true)).toBe(true);
    const metrics = (await api(hub.url, 'GET', '/metrics', { token: EDITOR_TOKEN })).text;
    expect(metricValue(metrics, 'supergrep_redactions_total{rule="cut-line-tail"}')).toBe(2);
    expect(metricValue(metrics, `supergrep_redaction_scans_total{at="${at}"}`)).toBeGreaterThan(0);
    expect(metricValue(metrics, `supergrep_redaction_scans_total{at="${at === 'hub' ? 'agent' : 'hub'}"}`)).toBeUndefined();
    everything.close();
  });
});

/** Batches sent by hand (hub-harness): what a tampered agent, or one of another build, could send. */
describe('redaction of batches as sent', () => {
  const hubs: InProcessHub[] = [];
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
  });

  async function viewerOf(h: InProcessHub): Promise<TestViewer> {
    const viewer = await TestViewer.connect(h);
    await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
    await viewer.subscribe('all', { query: '' });
    return viewer;
  }

  async function scans(h: InProcessHub): Promise<Record<string, number>> {
    const metric = await h.internals.metrics.redactionScans.get();
    return Object.fromEntries(metric.values.map((value) => [value.labels.at!, value.value]));
  }

  it("takes a batch that names the rules' digest as redacted only from a trusted agent token", async () => {
    const h = await startTestHub({ agentTokens: ['trusted:tok-trusted-1', 'other:tok-other-2'], redaction: { trustedAgents: ['trusted'] } });
    hubs.push(h);
    const viewer = await viewerOf(h);
    const untrusted = await TestAgent.connect(h, 'web-1', { authorization: 'Bearer tok-other-2' });
    const trusted = await TestAgent.connect(h, 'web-2', { authorization: 'Bearer tok-trusted-1' });
    if (untrusted.welcome.type !== 'welcome' || untrusted.welcome.redaction === undefined) throw new Error('expected a welcome with redaction rules');
    const { digest } = untrusted.welcome.redaction;

    // An untrusted token claims the digest but sends a secret: the hub scans the batch anyway.
    await untrusted.agent.send('/app.log', [SECRET_LINES[0]!], { redaction: digest });
    expect((await viewer.collect('all', 1)).map((line) => line.line)).toEqual([REDACTED_LINES[0]]);
    expect(await scans(h)).toEqual({ hub: 1 });

    // A trusted token's batch naming the digest is taken as redacted, not scanned again.
    await trusted.agent.send('/app.log', [`as sent ${SECRETS.apiKey}`], { redaction: digest });
    expect((await viewer.collect('all', 1)).map((line) => line.line)).toEqual([`as sent ${SECRETS.apiKey}`]);
    expect(await scans(h)).toEqual({ hub: 1, agent: 1 });
    untrusted.agent.close();
    trusted.agent.close();
  });

  // The hub cuts a line over its own maxLineBytes before redacting it; a line an agent says it cut
  // (truncated) arrives cut. Either way no slice of a secret the cut went through reaches a viewer.
  it('hides what is left of a secret in a line cut at the hub, or cut by the agent', async () => {
    const h = await startTestHub({ maxLineBytes: 64 });
    hubs.push(h);
    const viewer = await viewerOf(h);
    const { agent } = await TestAgent.connect(h);
    const key = 'AKIAQX5EXAMPLE7KEY42';
    const card = '4111 1111 1111 1111';
    // The hub's cut at byte 64 leaves 11 characters of the key, 12 digits of the card.
    const keyLine = `${'k'.repeat(52)} ${key} more text after it`;
    const cardLine = `${'c'.repeat(49)} ${card} more text after it`;
    await agent.send('/app.log', [keyLine, cardLine]);
    // An agent's cut line, ending inside a key.
    const agentCut = `${'a'.repeat(10)} ${key.slice(0, 11)}`;
    await agent.send('/app.log', [agentCut], { truncated: [0] });
    const lines = (await viewer.collect('all', 3)).map((line) => line.line);
    expect(lines).toEqual([`${'k'.repeat(52)} [REDACTED]`, `${'c'.repeat(49)} [REDACTED]`, `${'a'.repeat(10)} [REDACTED]`]);
    for (const line of lines) {
      for (const secret of [key, card]) {
        for (let i = 0; i + 4 <= secret.length; i += 1) expect(line).not.toContain(secret.slice(i, i + 4));
      }
    }
    agent.close();
  });
});
