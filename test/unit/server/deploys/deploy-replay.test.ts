import { afterEach, describe, expect, it } from 'vitest';
import type { Deploy, HubToClient, MatchedLine, SearchRecord } from '../../../../protocol/index.js';
import { backlogWithDeploys, withDeployRecords } from '../../../../server/deploys/deploy-replay.js';
import { startTestHub, TestAgent, TestViewer, type TestHub } from '../../../helpers/hub-harness.js';
import { api } from '../../../helpers/http-api.js';
import { MemoryHistory } from '../../../helpers/memory-history.js';

const T = Date.UTC(2026, 11, 7, 14, 0, 0);

function deploy(id: string, startedAt: number): Deploy {
  return { id, label: `web ${id}`, startedAt, createdAt: startedAt };
}

function line(id: string, ts: number, eventTs?: number): MatchedLine {
  return { id, host: 'h', file: '/f', ts, ...(eventTs === undefined ? {} : { eventTs }), line: id, ranges: [] };
}

/** What a client sees: line ids and deploy ids in order. */
function shape(parts: ReturnType<typeof backlogWithDeploys>): string[] {
  return parts.flatMap((part) => ('deploy' in part ? [`deploy ${part.deploy.id}`] : part.lines.map((l) => l.id)));
}

async function collect(records: AsyncIterable<SearchRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const record of records) out.push(record.type === 'match' ? record.line.id : record.type === 'deploy' ? `deploy ${record.deploy.id}` : record.type);
  return out;
}

async function* page(lines: MatchedLine[], cursor?: string): AsyncGenerator<SearchRecord> {
  for (const l of lines) yield { type: 'match', line: l };
  yield { type: 'done', count: lines.length, partial: false, ...(cursor === undefined ? {} : { cursor }) };
}

describe('deploys among a backlog', () => {
  it('puts each deploy before the first line received at or after its start, and the later ones after the last line', () => {
    const lines = [line('a', T), line('b', T + 10), line('c', T + 20)];
    expect(shape(backlogWithDeploys(lines, [deploy('1', T + 10), deploy('2', T + 15), deploy('3', T + 30)]))).toEqual(['a', 'deploy 1', 'b', 'deploy 2', 'c', 'deploy 3']);
    expect(shape(backlogWithDeploys(lines, []))).toEqual(['a', 'b', 'c']);
    expect(backlogWithDeploys([], [])).toEqual([]);
  });
});

describe('deploys among search results', () => {
  const lines = [line('a', T), line('b', T + 10, T + 5), line('c', T + 20)];
  const deploys = [deploy('early', T - 100), deploy('mid', T + 7), deploy('late', T + 25)];
  const lookup = (from: number, to: number) => deploys.filter((d) => d.startedAt >= from && d.startedAt <= to);

  it('ascending: by each line\'s search time (stated, else received), the rest before done on the last page', async () => {
    expect(await collect(withDeployRecords(page(lines), { window: {}, order: 'asc' }, lookup, T + 1_000))).toEqual(['deploy early', 'a', 'b', 'deploy mid', 'c', 'deploy late', 'done']);
  });

  it('descending: newest first, each deploy before the first line older than it', async () => {
    const newestFirst = [...lines].reverse();
    expect(await collect(withDeployRecords(page(newestFirst), { window: {}, order: 'desc' }, lookup, T + 1_000))).toEqual(['deploy late', 'c', 'deploy mid', 'b', 'a', 'deploy early', 'done']);
  });

  it('pages: a deploy between two pages comes once, on the page after the cursor', async () => {
    const asc = { window: { from: T - 50 }, order: 'asc' as const };
    expect(await collect(withDeployRecords(page(lines.slice(0, 2), 'next'), asc, lookup, T + 1_000))).toEqual(['a', 'b', 'done']);
    // b's search time is T + 5: "mid" (T + 7) comes after it, on the second page.
    expect(await collect(withDeployRecords(page(lines.slice(2)), { ...asc, cursor: { time: T + 5, num: 1, pos: 0 } }, lookup, T + 1_000))).toEqual(['deploy mid', 'c', 'deploy late', 'done']);
    const desc = { window: { to: T + 22 }, order: 'desc' as const };
    expect(await collect(withDeployRecords(page([lines[2]!], 'next'), desc, lookup, T + 1_000))).toEqual(['c', 'done']);
    expect(await collect(withDeployRecords(page([lines[1]!, lines[0]!]), { ...desc, cursor: { time: T + 20, num: 1, pos: 0 } }, lookup, T + 1_000))).toEqual(['deploy mid', 'b', 'a', 'deploy early', 'done']);
  });
});

describe('hub: deploys replayed and searched', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  async function postDeploy(label: string, startedAt: number): Promise<Deploy> {
    const answer = await api<Deploy>(hub!.url, 'POST', '/api/deploys', { json: { label, startedAt } });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  it('replays the deploys since the oldest backlog line among the backlog, in time order, to that subscription only', async () => {
    hub = await startTestHub();
    const now = Date.now();
    const { agent } = await TestAgent.connect(hub, 'web-1');
    await agent.send('/app.log', ['one hit'], { ts: now - 30_000 });
    await agent.send('/app.log', ['two hit'], { ts: now - 20_000 });
    await postDeploy('too old', now - 60_000);
    await postDeploy('between', now - 25_000);
    await postDeploy('after the last line', now - 10_000);

    const viewer = await TestViewer.connect(hub);
    await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
    await viewer.subscribe('s', { query: 'hit' }, 10);
    await viewer.inbox.next('the last replayed deploy', (m) => m.type === 'deploy' && m.deploy.label === 'after the last line');
    const replay = viewer.inbox.messages.filter((m): m is Extract<HubToClient, { type: 'matches' | 'deploy' }> => m.type === 'matches' || m.type === 'deploy');
    expect(replay.map((m) => (m.type === 'matches' ? [m.sub, m.backlog, m.lines.map((l) => l.line)] : [m.sub, m.replay, m.deploy.label]))).toEqual([
      ['s', true, ['one hit']],
      ['s', true, 'between'],
      ['s', true, ['two hit']],
      ['s', true, 'after the last line'],
    ]);

    // Without a backlog there is nothing to place deploys among: a live line comes first.
    await viewer.subscribe('live', { query: 'hit' });
    await agent.send('/app.log', ['three hit']);
    await viewer.inbox.next('the live line', (m) => m.type === 'matches' && m.sub === 'live');
    expect(viewer.inbox.messages.filter((m) => m.type === 'deploy' && m.sub === 'live')).toEqual([]);
  });

  it('sends deploy records among the matches of GET /api/search, in either order, once across pages', async () => {
    const history = new MemoryHistory();
    const source = history.source('web-1', 'a.log');
    const now = Date.now();
    history.append(source, now - 30_000, ['boom 1']);
    history.append(source, now - 20_000, ['boom 2']);
    history.append(source, now - 10_000, ['boom 3']);
    hub = await startTestHub({}, { history });
    await postDeploy('d1', now - 25_000);
    await postDeploy('d2', now - 5_000);
    await postDeploy('outside', now - 7_200_000);

    const records = async (query: string) => {
      const answer = await api(hub!.url, 'GET', `/api/search?q=boom&from=1h&${query}`);
      expect(answer.status).toBe(200);
      return answer.text
        .trimEnd()
        .split('\n')
        .map((text) => JSON.parse(text) as SearchRecord)
        .filter((record) => record.type !== 'progress');
    };
    const names = (list: SearchRecord[]) => list.map((r) => (r.type === 'match' ? r.line.line : r.type === 'deploy' ? r.deploy.label : r.type));
    expect(names(await records('order=asc'))).toEqual(['boom 1', 'd1', 'boom 2', 'boom 3', 'd2', 'done']);
    expect(names(await records('order=desc'))).toEqual(['d2', 'boom 3', 'boom 2', 'd1', 'boom 1', 'done']);

    const pages: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 5; n++) {
      const list = await records(`order=asc&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...names(list));
      const done = list.at(-1)!;
      cursor = done.type === 'done' ? done.cursor : undefined;
      if (cursor === undefined) break;
    }
    expect(pages.filter((name) => name !== 'done')).toEqual(['boom 1', 'd1', 'boom 2', 'boom 3', 'd2']);
  });

  it('saves the deploys inside a capture\'s lines with it, and renders them in its Markdown with absolute links', async () => {
    hub = await startTestHub();
    const t = Date.now() - 60_000;
    await postDeploy('inside', t + 500);
    await postDeploy('outside', t + 5_000);
    const created = await api<{ id: string; url: string }>(hub.url, 'POST', '/api/captures', {
      json: { title: 'outage', lines: [{ host: 'h', file: '/f', ts: t, line: 'before' }, { host: 'h', file: '/f', ts: t + 1_000, line: 'after' }] },
    });
    expect(created.status).toBe(201);
    const saved = await api<{ deploys?: Deploy[] }>(hub.url, 'GET', `/api/captures/${created.body.id}`);
    expect(saved.body.deploys?.map((d) => d.label)).toEqual(['inside']);
    const markdown = (await api(hub.url, 'GET', `/api/captures/${created.body.id}.md`)).text;
    const page = `${hub.url}/captures/${created.body.id}`;
    expect(markdown).toContain(`- Capture: <${page}>`);
    expect(markdown).toMatch(/\| before\n──── deploy inside at \S+ ────\n\S+ h \/f \| after\n/);
    expect(markdown).toContain(`2. \\~${new Date(t + 1_000).toISOString()} h: <${page}#L2>`);
  });
});
