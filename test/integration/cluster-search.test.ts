import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { histogramSchema, searchRecordSchema, type Histogram, type SearchDoneRecord, type SearchRecord } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { startClusterHub, waitForPeers } from '../helpers/cluster.js';
import { api } from '../helpers/http-api.js';
import { NatsServer } from '../helpers/nats-server.js';
import { appendLines, startAgent, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Line times come from the lines themselves (event time), one second apart, some on both hubs at once. */
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const SECONDS = 60;

/** The lines each hub's agent writes: second i on A unless i % 3 == 1, on B unless i % 3 == 0 (ties at i % 3 == 2). */
function linesOf(hub: 'a' | 'b'): Array<{ time: number; text: string }> {
  const out: Array<{ time: number; text: string }> = [];
  for (let i = 0; i < SECONDS; i += 1) {
    if (hub === 'a' ? i % 3 === 1 : i % 3 === 0) continue;
    const time = T0 + i * 1_000;
    out.push({ time, text: `${new Date(time).toISOString()} tick ${i} on ${hub}` });
  }
  return out;
}

function records(text: string): SearchRecord[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => searchRecordSchema.parse(JSON.parse(line)));
}

const texts = (page: SearchRecord[]) => page.flatMap((record) => (record.type === 'match' ? [record.line.line] : []));
const doneOf = (page: SearchRecord[]) => page.at(-1) as SearchDoneRecord;

async function search(hub: TestHub, params: Record<string, string>): Promise<SearchRecord[]> {
  const query = new URLSearchParams({ q: 'tick', from: String(T0 - 1_000), to: String(T0 + SECONDS * 1_000), ...params });
  const answer = await api(hub.url, 'GET', `/api/search?${query}`);
  expect(answer.status).toBe(200);
  return records(answer.text);
}

describe('cluster: history search across hubs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let nats: NatsServer;
  const processes: CliProcess[] = [];
  let fake: NatsConnection | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-cluster-search-'));
    nats = await NatsServer.start(join(dir, 'jetstream'));
  });

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await nats.stop();
    await cleanup();
  });

  it('merges both hubs\u2019 lines in time order, pages without gap or duplicate, and says which hub is missing once one dies', async () => {
    const options = { natsTimeoutMs: 1_000 };
    const a = await startClusterHub(nats, dir, 'a', options);
    const b = await startClusterHub(nats, dir, 'b', options);
    processes.push(a.process, b.process);
    await Promise.all([waitForPeers(a, 1), waitForPeers(b, 1)]);

    const written = { a: linesOf('a'), b: linesOf('b') };
    for (const [name, hub] of [['a', a], ['b', b]] as const) {
      const file = join(dir, `${name}.log`);
      await appendLines(file, []);
      const agent = startAgent({ hubs: [hub.wsUrl], paths: [file], stateFile: join(dir, `${name}.state.json`), name: `host-${name}` });
      processes.push(agent);
      await waitForFollowing(agent, file);
      await appendLines(file, written[name].map((line) => line.text));
    }
    // The cluster's order: time, then hub id.
    const order = (hub: 'a' | 'b') => (hub === 'a' ? a.id : b.id);
    const expected = (['a', 'b'] as const)
      .flatMap((hub) => written[hub].map((line) => ({ ...line, hub: order(hub) })))
      .sort((x, y) => x.time - y.time || (x.hub < y.hub ? -1 : x.hub > y.hub ? 1 : 0))
      .map((line) => line.text);
    await waitFor('both hubs to have stored their lines', async () => texts(await search(a, { order: 'asc' })).length === expected.length, 20_000);

    const all = await search(a, { order: 'asc' });
    expect(texts(all)).toEqual(expected);
    expect(doneOf(all)).toEqual({ type: 'done', count: expected.length, partial: false });
    // Asked on B, the same lines, newest first.
    expect(texts(await search(b, { order: 'desc' }))).toEqual([...expected].reverse());

    for (const direction of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < expected.length; pages += 1) {
        const page = await search(a, { order: direction, limit: '7', ...(cursor ? { cursor } : {}) });
        expect(doneOf(page).partial).toBe(false);
        seen.push(...texts(page));
        cursor = doneOf(page).cursor;
        if (cursor === undefined) break;
      }
      expect(seen).toEqual(direction === 'asc' ? expected : [...expected].reverse());
    }

    const histogramQuery = `/api/search/histogram?q=tick&from=${T0}&to=${T0 + SECONDS * 1_000 - 1}&step=10s`;
    const histogram = histogramSchema.parse((await api<Histogram>(a.url, 'GET', histogramQuery)).body);
    expect(histogram.buckets.map((bucket) => bucket.count)).toEqual(Array.from({ length: 6 }, (_, i) => expected.filter((text) => Math.floor(Number(/tick (\d+)/.exec(text)![1]) / 10) === i).length));
    expect(histogram.partial).toBe(false);

    // B dies without a word: A still lists it (its beacons stop only now) and must say its lines are missing.
    b.process.kill('SIGKILL');
    await b.process.exited;
    const partial = await search(a, { order: 'asc' });
    expect(texts(partial)).toEqual(written.a.map((line) => line.text));
    expect(doneOf(partial)).toMatchObject({ partial: true, failures: [{ hubId: b.id }] });
    const halfHistogram = histogramSchema.parse((await api<Histogram>(a.url, 'GET', histogramQuery)).body);
    expect(halfHistogram).toMatchObject({ partial: true, failures: [{ hubId: b.id }] });

    // The CLI says so too.
    const cli = new CliProcess(['search', '--hub', a.url, '--from', String(T0 - 1_000), '--order', 'asc', 'tick']);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdoutLines.length).toBe(written.a.length);
    expect(cli.stderrLines.join('\n')).toContain(`results are partial: hub ${b.id} did not answer`);

    // Once A takes B out of the cluster for its silence, searches still say B's lines are missing.
    await waitForPeers(a, 0);
    const later = await search(a, { order: 'asc' });
    expect(texts(later)).toEqual(written.a.map((line) => line.text));
    expect(doneOf(later)).toMatchObject({ partial: true, failures: [{ hubId: b.id, reason: expect.stringMatching(/^not heard from since /) as string }] });
  });

  it('names a hub that answers too slowly or with an error, and tells a hub still scanning to stop', async () => {
    const a = await startClusterHub(nats, dir, 'a', { natsTimeoutMs: 1_000 });
    processes.push(a.process);
    const file = join(dir, 'a.log');
    await appendLines(file, []);
    const agent = startAgent({ hubs: [a.wsUrl], paths: [file], stateFile: join(dir, 'a.state.json'), name: 'host-a' });
    processes.push(agent);
    await waitForFollowing(agent, file);
    await appendLines(file, linesOf('a').map((line) => line.text));
    await waitFor('A to have stored its lines', async () => texts(await search(a, { order: 'asc' })).length === linesOf('a').length, 20_000);

    // Two hubs that are only a NATS connection: one sends a line (newer than A's) and then goes quiet, one refuses.
    const quietLine = { id: 'quiet-1-0', host: 'host-q', file: 'q.log', ts: T0 + SECONDS * 1_000 - 1, line: 'tick on the quiet hub', ranges: [] };
    fake = await connect({ servers: nats.url });
    const nc = fake;
    const beacons = setInterval(() => {
      for (const hub of ['quiet', 'refusing']) nc.publish(`sg.hub.${hub}`, JSON.stringify({ hub, agents: [] }));
    }, 200);
    const stops: unknown[] = [];
    nc.subscribe('sg.search.stop', { callback: (_err, msg) => void stops.push(msg.json()) });
    nc.subscribe('sg.search', {
      callback: (_err, msg) => {
        msg.respond(JSON.stringify({ hub: 'quiet', seq: 0, last: false, lines: [quietLine], scannedBytes: 0, totalBytes: 100 }));
        msg.respond(JSON.stringify({ hub: 'refusing', seq: 0, last: true, lines: [], scannedBytes: 0, totalBytes: 0, error: { code: 'SG_ERR_LIMIT', message: 'too many searches' } }));
      },
    });
    try {
      await waitForPeers(a, 2);
      const page = await search(a, { order: 'asc' });
      // What the quiet hub sent before it went quiet still counts, in its place.
      expect(texts(page)).toEqual([...linesOf('a').map((line) => line.text), quietLine.line]);
      const done = doneOf(page);
      expect(done.partial).toBe(true);
      expect(done.cursor).toBeUndefined();
      expect([...done.failures!].sort((x, y) => x.hubId.localeCompare(y.hubId))).toEqual([
        { hubId: 'quiet', reason: 'no answer within 1000 ms' },
        { hubId: 'refusing', reason: 'SG_ERR_LIMIT: too many searches' },
      ]);
      // A page filled by A's own lines (all before the quiet hub's) while it still works: it is told to stop.
      const short = await search(a, { order: 'asc', limit: '3' });
      expect(texts(short)).toHaveLength(3);
      expect(doneOf(short).cursor).toBeDefined();
      await waitFor('a stop for the quiet hub', () => stops.length >= 1);
      expect(stops[0]).toMatchObject({ from: a.id });
    } finally {
      clearInterval(beacons);
    }
  });
});
