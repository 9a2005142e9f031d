import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, Capture, CaptureCreated, HubToClient, MatchedLine } from '../../../protocol/index.js';
import { api, metricValue } from '../../helpers/http-api.js';
import { offerRedaction } from '../../../lib/redaction/redaction-offer.js';
import { DEFAULT_RULES } from '../../../lib/redaction/redaction-rules.js';
import { activeRules, redactionConfigSchema } from '../../../server/redaction/redaction-config.js';
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

/** Every line delivered for `sub` up to and including the one containing `marker`. */
async function linesUntil(viewer: TestViewer, sub: string, marker: string): Promise<MatchedLine[]> {
  const lines: MatchedLine[] = [];
  while (!lines.some((line) => line.line.includes(marker))) {
    const message = await viewer.inbox.next(`lines of ${sub} up to ${marker}`, (m) => m.type === 'matches' && m.sub === sub);
    if (message.type === 'matches') lines.push(...message.lines);
  }
  return lines;
}

const SECRET = 'abc123SECRETxyz789';
const SECRET_LINE = `GET /login Authorization: Bearer ${SECRET} token=${SECRET}`;
const REDACTED_LINE = 'GET /login Authorization: Bearer [REDACTED] token=[REDACTED]';

describe('hub: redaction before anything leaves the hub', () => {
  it('delivers redacted lines with ranges computed on the redacted text', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    await viewer.subscribe('tok', { query: 'token=\\S+|MARK' });
    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', [SECRET_LINE, 'MARK']);
    const lines = await linesUntil(viewer, 'tok', 'MARK');
    expect(lines.map(({ line, ranges }) => [line, ranges])).toEqual([
      [REDACTED_LINE, [[REDACTED_LINE.indexOf('token='), REDACTED_LINE.length]]],
      ['MARK', [[0, 4]]],
    ]);
    const metrics = await h.internals.metrics.redactions.get();
    expect(Object.fromEntries(metrics.values.map((value) => [value.labels.rule, value.value]))).toEqual({ 'bearer-token': 1, token: 1 });
  });

  it('offers its rules to agents, and does not scan again a batch a trusted agent redacted with them', async () => {
    const h = await hub({ agentTokens: ['edge:agent-tok-1'], redaction: { rules: [{ name: 'employee-id', pattern: '\\bEMP-\\d{6}\\b' }], trustedAgents: ['edge'] } });
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent, welcome } = await TestAgent.connect(h, 'web-1', { authorization: 'Bearer agent-tok-1' });
    if (welcome.type !== 'welcome' || welcome.redaction === undefined) throw new Error('expected a welcome with redaction rules');
    const { digest, rules } = welcome.redaction;
    expect(digest).toBe(offerRedaction(activeRules(redactionConfigSchema.parse({ rules: [{ name: 'employee-id', pattern: '\\bEMP-\\d{6}\\b' }] }))).digest);
    expect(rules.map((rule) => rule.name)).toEqual([...DEFAULT_RULES.map((rule) => rule.name), 'employee-id']);
    expect(rules.find((rule) => rule.name === 'card-number')?.refine).toBe('card-number');

    // Redacted by the agent: taken as it is (the hub trusts this agent token's redaction, see
    // redaction.trustedAgents), counted from the header for rules it knows only.
    await agent.send('/app.log', [REDACTED_LINE, `as sent ${SECRET}`], { redaction: digest, redactions: { 'bearer-token': 1, token: 1, 'made-up': 7 } });
    // Redacted with other rules (a stale digest): the hub scans it.
    await agent.send('/app.log', [SECRET_LINE, 'badge EMP-482913 MARK'], { redaction: 'sha256:other-rules' });
    const lines = await linesUntil(viewer, 'all', 'MARK');
    expect(lines.map((line) => line.line)).toEqual([REDACTED_LINE, `as sent ${SECRET}`, REDACTED_LINE, 'badge [REDACTED] MARK']);
    const counts = await h.internals.metrics.redactions.get();
    expect(Object.fromEntries(counts.values.map((value) => [value.labels.rule, value.value]))).toEqual({ 'bearer-token': 2, token: 2, 'employee-id': 1 });
    const scans = await h.internals.metrics.redactionScans.get();
    expect(Object.fromEntries(scans.values.map((value) => [value.labels.at, value.value]))).toEqual({ agent: 1, hub: 1 });
  });

  it('with redaction.atAgents off, offers no rules and scans every batch', async () => {
    const h = await hub({ redaction: { atAgents: false } });
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent, welcome } = await TestAgent.connect(h);
    expect(welcome.type === 'welcome' && welcome.redaction).toBe(undefined);
    const digest = offerRedaction(DEFAULT_RULES).digest;
    await agent.send('/app.log', [SECRET_LINE, 'MARK'], { redaction: digest, redactions: { token: 5 } });
    expect((await linesUntil(viewer, 'all', 'MARK')).map((line) => line.line)).toEqual([REDACTED_LINE, 'MARK']);
    const counts = await h.internals.metrics.redactions.get();
    expect(Object.fromEntries(counts.values.map((value) => [value.labels.rule, value.value]))).toEqual({ 'bearer-token': 1, token: 1 });
  });

  it('gives a filter no way to confirm a secret: include, alternation with the marker, or exclude', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    // Each pair differs only in whether it guesses the secret right; the answers must not differ.
    const probes: Array<[string, Record<string, unknown>]> = [
      ['right', { query: `Bearer ${SECRET.slice(0, 6)}|MARK` }],
      ['wrong', { query: 'Bearer zzzzzz|MARK' }],
      ['rightAlt', { query: `Bearer ${SECRET.slice(0, 6)}|REDACTED|MARK` }],
      ['wrongAlt', { query: 'Bearer zzzzzz|REDACTED|MARK' }],
      ['rightExclude', { query: 'Authorization|MARK', exclude: `Bearer ${SECRET.slice(0, 6)}` }],
      ['wrongExclude', { query: 'Authorization|MARK', exclude: 'Bearer zzzzzz' }],
    ];
    for (const [sub, filter] of probes) await viewer.subscribe(sub, filter);
    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', [SECRET_LINE, 'MARK']);
    const answers: Record<string, string[]> = {};
    for (const [sub] of probes) answers[sub] = (await linesUntil(viewer, sub, 'MARK')).map((line) => line.line);
    expect(answers.right).toEqual(['MARK']);
    expect(answers.wrong).toEqual(answers.right);
    expect(answers.rightAlt).toEqual([REDACTED_LINE, 'MARK']);
    expect(answers.wrongAlt).toEqual(answers.rightAlt);
    expect(answers.rightExclude).toEqual([REDACTED_LINE, 'MARK']);
    expect(answers.wrongExclude).toEqual(answers.rightExclude);
  });

  it('redacts the backlog and context answers too', async () => {
    const h = await hub();
    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', ['before', SECRET_LINE, 'after']);
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' }, 10);
    const backlog = await viewer.inbox.next('backlog', (m) => m.type === 'matches' && m.backlog === true);
    const lines = backlog.type === 'matches' ? backlog.lines : [];
    expect(lines.map((line) => line.line)).toEqual(['before', REDACTED_LINE, 'after']);
    viewer.send({ type: 'context', req: 'r1', id: lines[0]!.id, before: 0, after: 5 });
    const context = await viewer.inbox.next('context', (m) => m.type === 'context');
    expect(context.type === 'context' && context.lines.map((line) => line.line)).toEqual(['before', REDACTED_LINE, 'after']);
    expect(JSON.stringify(viewer.inbox.messages)).not.toContain(SECRET);
  });

  it('redacts captures on the way in, whatever the client sent', async () => {
    const h = await hub();
    const created = await api<CaptureCreated>(h.url, 'POST', '/api/captures', {
      json: { title: `outage password=${SECRET}`, lines: [{ host: 'h', file: 'f', ts: 1, line: SECRET_LINE }, { host: 'h', file: 'f', ts: 2, line: 'card 4111 1111 1111 1111' }] },
    });
    expect(created.status).toBe(201);
    const capture = await api<Capture>(h.url, 'GET', `/api/captures/${created.body.id}`);
    expect(capture.body.title).toBe('outage password=[REDACTED]');
    expect(capture.body.lines.map((line) => line.line)).toEqual([REDACTED_LINE, 'card [REDACTED]']);
    expect((await api(h.url, 'GET', `/api/captures/${created.body.id}.md`)).text).not.toContain(SECRET);
  });

  it('passes lines through untouched when every rule is disabled', async () => {
    const rules = ['bearer-token', 'basic-auth', 'api-key', 'token', 'password', 'url-password', 'aws-access-key-id', 'secret-key-prefix', 'github-token', 'slack-token', 'google-api-key', 'jwt', 'card-number'];
    const h = await hub({ redaction: { disable: rules } });
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent } = await TestAgent.connect(h);
    await agent.send('/app.log', [SECRET_LINE]);
    expect((await viewer.collect('all', 1))[0]!.line).toBe(SECRET_LINE);
  });
});

describe('hub: roles on viewer sockets', () => {
  const tokens = { agentTokens: ['agents:agent-secret'], viewerTokens: ['vera:viewer-secret'], editorTokens: ['ed:editor-secret'] };

  it('tells each viewer its role; an agent token may not read, by header (403) or in hello (4403)', async () => {
    const h = await hub(tokens);
    expect(await (await TestViewer.connect(h, { token: 'viewer-secret' })).inbox.next('welcome')).toMatchObject({ viewer: 'vera', role: 'viewer' });
    expect(await (await TestViewer.connect(h, { headers: { Authorization: 'Bearer editor-secret' } })).inbox.next('welcome')).toMatchObject({ viewer: 'ed', role: 'editor' });
    expect(await refusedUpgrade(`${h.wsUrl}/ws/client`, { Authorization: 'Bearer agent-secret' })).toEqual({
      status: 403,
      body: 'supergrep: this is an agent token: agents can send lines but never read them\n',
    });
    const agentInHello = await TestViewer.connect(h, { token: 'agent-secret' });
    expect(await agentInHello.inbox.next('error')).toMatchObject({ type: 'error', code: 'SG_ERR_FORBIDDEN' });
    expect((await agentInHello.peer.closed).code).toBe(4403);
  });
});

describe('hub: limits', () => {
  it('refuses a viewer over maxViewers with SG_ERR_LIMIT and 4429, and takes one again when a place frees up', async () => {
    const h = await hub({ maxViewers: 2 });
    const first = await readyViewer(h);
    await readyViewer(h);
    const third = await TestViewer.connect(h, { hello: false });
    expect(await third.inbox.next('error')).toEqual({
      type: 'error',
      code: 'SG_ERR_LIMIT',
      message: 'the hub already has 2 viewers connected (maxViewers); try again later',
    });
    expect(await third.peer.closed).toMatchObject({ code: 4429, reason: expect.stringContaining('maxViewers') });
    first.peer.socket.close();
    await first.peer.closed;
    await readyViewer(h);
  });

  it('drops and counts lines over maxAgentLinesPerSec, acknowledging the batch', async () => {
    const h = await hub({ maxAgentLinesPerSec: 5 });
    const viewer = await readyViewer(h);
    await viewer.subscribe('all', { query: '' });
    const { agent } = await TestAgent.connect(h, 'noisy-host');
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    expect(await agent.send('/app.log', lines)).toEqual({ type: 'ack', batch: 1 });
    expect((await viewer.collect('all', 5)).map((line) => line.line)).toEqual(lines.slice(0, 5));
    const text = (await h.internals.metrics.registry.metrics()) as string;
    expect(metricValue(text, 'supergrep_agent_rate_dropped_lines_total{host="noisy-host"}')).toBe(7);
    expect(metricValue(text, 'supergrep_agent_lines_total{host="noisy-host"}')).toBe(5);
  });

  it('refuses a too-long pattern for that subscription only, saying how long it was', async () => {
    const h = await hub();
    const viewer = await readyViewer(h);
    const refused = await viewer.subscribe('long', { query: 'a'.repeat(1500) });
    expect(refused).toEqual({ type: 'error', code: 'SG_ERR_LIMIT', sub: 'long', message: 'the pattern is 1500 characters long; the hub accepts at most 1024' });
    expect(await viewer.subscribe('ok', { query: 'x' })).toMatchObject({ type: 'subscribed', sub: 'ok' });
  });

  it('says how many subscriptions a connection may hold', async () => {
    const h = await hub({ maxSubscriptionsPerViewer: 1 });
    const viewer = await readyViewer(h);
    await viewer.subscribe('a', { query: 'a' });
    const refused = (await viewer.subscribe('b', { query: 'b' })) as HubToClient & { type: 'error' };
    expect(refused).toMatchObject({ type: 'error', code: 'SG_ERR_LIMIT', sub: 'b' });
    expect(refused.message).toBe('this connection already holds the most subscriptions one viewer may (maxSubscriptionsPerViewer: 1); unsubscribe one first');
  });
});

describe('hub: security headers', () => {
  it('sends a strict CSP and the other headers on the UI and the API, and no HSTS without TLS', async () => {
    const h = await hub();
    for (const path of ['/', '/captures/abc', '/api/pins', '/healthz']) {
      const response = await fetch(`${h.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('strict-transport-security')).toBeNull();
      await response.arrayBuffer();
    }
  });

  it('answers a viewer token 403 on every state-changing route, with a readable error', async () => {
    const h = await hub({ viewerTokens: ['vera:viewer-secret'] });
    const refused = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'p', query: 'x' }, token: 'viewer-secret' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'SG_ERR_FORBIDDEN', message: expect.stringMatching(/^vera may read but not change anything/) });
  });
});
