import { afterEach, describe, expect, it } from 'vitest';
import { contextResultSchema, searchRecordSchema, type CaptureCreated, type HubToClient, type MatchedLine } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, TestAgent, TestViewer, type TestHub } from '../helpers/hub-harness.js';
import { searchCli } from '../helpers/supergrep.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Multi-line events (NUL breaks on the agent wire) and Kubernetes pod labels at the hub: every way
 * a viewer gets lines gives an event whole, with '\n'; namespace, pod and container globs scope
 * live lines, the backlog and history search.
 */
const APP_LOG = '/var/log/app.log';
const NS_A = '/var/log/pods/ns-a_web-1_0f4c2a7e/app/0.log';
const NS_B = '/var/log/pods/ns-b_web-2_9d8e7f6a/app/0.log';
const EVENT = ['2026-12-07T10:22:02.123Z ERROR java.lang.IllegalStateException: cart is empty', '\tat com.example.Cart.pay(Cart.java:42)', '\tat com.example.Api.handle(Api.java:7)'];
const DELIVERED = EVENT.join('\n');
const API_AT = DELIVERED.indexOf('Api.java');
const API_RANGE: [number, number] = [API_AT, API_AT + 'Api.java'.length];

const hubs: TestHub[] = [];
const closers: Array<() => void> = [];
const processes: CliProcess[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function setUp(): Promise<{ hub: TestHub; agent: TestAgent; viewer: TestViewer }> {
  const hub = await startTestHub();
  hubs.push(hub);
  const { agent } = await TestAgent.connect(hub, 'node-1');
  closers.push(() => agent.close());
  const viewer = await TestViewer.connect(hub);
  closers.push(() => viewer.peer.socket.close());
  await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
  return { hub, agent, viewer };
}

/** Every match of GET /api/search with these parameters (one page). */
async function search(hub: TestHub, params: Record<string, string | string[]>): Promise<MatchedLine[]> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value].flat()) query.append(name, one);
  const response = await fetch(`${hub.url}/api/search?${query.toString()}`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const lines: MatchedLine[] = [];
  for (const record of text.split('\n').filter((line) => line !== '').map((line) => searchRecordSchema.parse(JSON.parse(line)))) {
    if (record.type === 'match') lines.push(record.line);
    else if (record.type === 'error') throw new Error(`search failed: ${record.message}`);
  }
  return lines;
}

/** Runs `supergrep tail` until it has printed `count` lines, then stops it; every line it printed (a backlog comes in one write). */
async function tailOutput(hub: TestHub, args: string[], count: number): Promise<string[]> {
  const tail = new CliProcess(['tail', '--hub', hub.url, '--no-color', ...args]);
  processes.push(tail);
  await waitFor(`${count} lines from supergrep tail`, () => tail.stdoutLines.length >= count || undefined);
  await tail.stop();
  return tail.stdoutLines;
}

describe('multi-line events at the hub', () => {
  it('live, backlog, context, history search, tail and a capture\'s Markdown all give the event whole', async () => {
    const { hub, agent, viewer } = await setUp();
    expect(await viewer.subscribe('live', { query: 'Api\\.java' })).toMatchObject({ type: 'subscribed' });
    await agent.send(APP_LOG, ['before', EVENT.join('\u0000'), 'after']);

    // Live: the whole event, the range on its third line.
    const [live] = await viewer.collect('live', 1);
    expect(live).toMatchObject({ line: DELIVERED, ranges: [API_RANGE] });
    const liveMessage = viewer.inbox.messages.find((m): m is Extract<HubToClient, { type: 'matches' }> => m.type === 'matches' && m.sub === 'live')!;
    // The event's time is its head's.
    expect(liveMessage.lines[0]!.eventTs).toBe(Date.UTC(2026, 11, 7, 10, 22, 2, 123));

    // Backlog: a frame's text finds it; an exclude matching another frame drops it.
    expect(await viewer.subscribe('backlog', { query: 'Cart\\.pay' }, 10)).toMatchObject({ type: 'subscribed' });
    const [fromBacklog] = await viewer.collect('backlog', 1);
    expect(fromBacklog!.line).toBe(DELIVERED);
    expect(await viewer.subscribe('excluded', { query: 'before|Cart|after', exclude: 'Api\\.java' }, 10)).toMatchObject({ type: 'subscribed' });
    expect((await viewer.collect('excluded', 2)).map(({ line }) => line)).toEqual(['before', 'after']);

    // Context around the line before it: the event is one line of the file, whole.
    viewer.send({ type: 'context', req: 'c1', id: live!.id, before: 1, after: 1 });
    const context = contextResultSchema.parse(await viewer.inbox.next('context', (m) => m.type === 'context' && m.req === 'c1'));
    expect(context.lines.map(({ line }) => line)).toEqual(['before', DELIVERED, 'after']);

    // History search: the same event, the same range.
    const found = await search(hub, { q: 'Api\\.java' });
    expect(found.map(({ line, ranges }) => [line, ranges])).toEqual([[DELIVERED, [API_RANGE]]]);

    // `supergrep tail`: the event's further lines indented under its head.
    expect(await tailOutput(hub, ['--backlog', '10', 'Api\\.java'], 3)).toEqual([
      `node-1 ${APP_LOG}: ${EVENT[0]}`,
      `    ${EVENT[1]}`,
      `    ${EVENT[2]}`,
    ]);

    // A capture of it: each of its lines on a line of its own inside the fence.
    const created = await api<CaptureCreated>(hub.url, 'POST', '/api/captures', { json: { title: 'Cart trace', lines: [{ host: liveMessage.lines[0]!.host, file: APP_LOG, ts: 1, eventTs: liveMessage.lines[0]!.eventTs, line: live!.line }] } });
    expect(created.status, created.text).toBe(201);
    const markdown = (await api(hub.url, 'GET', `/api/captures/${created.body.id}.md`)).text.split('\n');
    const head = `2026-12-07T10:22:02.123Z node-1 ${APP_LOG} `;
    const at = markdown.indexOf(`${head}| ${EVENT[0]}`);
    expect(at).toBeGreaterThan(0);
    expect(markdown[at - 1]).toBe('```text');
    expect(markdown.slice(at + 1, at + 4)).toEqual([`${' '.repeat(head.length)}| ${EVENT[1]}`, `${' '.repeat(head.length)}| ${EVENT[2]}`, '```']);
  });
});

describe('pod labels at the hub', () => {
  it('namespace, pod and container globs scope live lines, the backlog, search and the CLI', async () => {
    const { hub, agent, viewer } = await setUp();
    expect(await viewer.subscribe('ns-a', { query: '', namespaces: ['ns-a'] })).toMatchObject({ type: 'subscribed' });
    // Lines of one agent are matched in the order it sent them: were the ns-b or plain line let
    // through, it would come before the ns-a one.
    await agent.send(APP_LOG, ['plain hello']);
    await agent.send(NS_B, ['b hello']);
    await agent.send(NS_A, ['a hello']);
    await viewer.collect('ns-a', 1);
    const delivered = viewer.inbox.messages.flatMap((m) => (m.type === 'matches' && m.sub === 'ns-a' ? m.lines.map(({ line, file }) => [line, file]) : []));
    expect(delivered).toEqual([['a hello', NS_A]]);

    expect(await viewer.subscribe('web-2', { query: '', pods: ['web-2'], containers: ['app'] }, 10)).toMatchObject({ type: 'subscribed' });
    expect((await viewer.collect('web-2', 1)).map(({ line }) => line)).toEqual(['b hello']);
    const limit = await viewer.subscribe('long', { query: '', namespaces: ['x'.repeat(300)] });
    expect(limit).toMatchObject({ type: 'error', code: 'SG_ERR_LIMIT' });

    expect((await search(hub, { q: 'hello', namespaces: 'ns-a' })).map(({ line }) => line)).toEqual(['a hello']);
    expect((await search(hub, { q: 'hello', namespaces: ['ns-*'], containers: 'app', order: 'asc' })).map(({ line }) => line)).toEqual(['b hello', 'a hello']);
    expect((await search(hub, { q: 'hello', pods: 'nope' })).map(({ line }) => line)).toEqual([]);

    const cliSearch = await searchCli(hub.url, 'hello', ['--namespace', 'ns-b']);
    expect([cliSearch.code, cliSearch.lines.map(({ line }) => line)]).toEqual([0, ['b hello']]);
    expect(await tailOutput(hub, ['--backlog', '10', '--pod', 'web-1', '--container', 'a*', ''], 1)).toEqual([`node-1 ${NS_A}: a hello`]);
  });
});
