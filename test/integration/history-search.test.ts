import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchRecordSchema, type MatchedLine, type SearchDoneRecord } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, appendSentinel, Collector, join, numbered, searchCli, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** GET /api/search and `supergrep search` over a hub's history, through the real CLI. */
describe('history search', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  async function hub(port?: number): Promise<TestHub> {
    const started = await startHub({ dataDir: join(dir, 'hub'), ...(port === undefined ? {} : { port }) });
    processes.push(started.process);
    return started;
  }

  async function agent(at: TestHub, name: string, log: string): Promise<void> {
    await writeFile(log, '');
    const started = startAgent({ hubs: [at.wsUrl], paths: [log], stateFile: join(dir, `${name}.json`), name });
    processes.push(started);
    await waitForFollowing(started, log);
  }

  async function viewer(at: TestHub, query: string): Promise<Collector> {
    const collector = new Collector(at.url, { query });
    collectors.push(collector);
    return collector.ready();
  }

  /** One page of GET /api/search: its matches and its done record. */
  async function page(at: TestHub, params: Record<string, string>): Promise<{ lines: MatchedLine[]; done: SearchDoneRecord }> {
    const response = await fetch(`${at.url}/api/search?${new URLSearchParams(params).toString()}`);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const lines: MatchedLine[] = [];
    let done: SearchDoneRecord | undefined;
    for (const record of text.split('\n').filter((line) => line !== '').map((line) => searchRecordSchema.parse(JSON.parse(line)))) {
      if (record.type === 'match') lines.push(record.line);
      else if (record.type === 'done') done = record;
      else if (record.type === 'error') throw new Error(`search failed: ${record.message}`);
    }
    expect(done, 'a done record').toBeDefined();
    return { lines, done: done! };
  }

  /** Every page of a search with `limit`, following the cursor (bounded in count). */
  async function allPages(at: TestHub, params: Record<string, string>, limit: number): Promise<MatchedLine[][]> {
    const pages: MatchedLine[][] = [];
    let cursor: string | undefined;
    do {
      const { lines, done } = await page(at, { ...params, limit: String(limit), ...(cursor === undefined ? {} : { cursor }) });
      expect(done.partial).toBe(false);
      expect(done.count).toBe(lines.length);
      pages.push(lines);
      cursor = done.cursor;
    } while (cursor !== undefined && pages.length < 1_000);
    expect(cursor, 'the last page has no cursor').toBeUndefined();
    return pages;
  }

  /** Where a line sorts in history: time (`eventTs ?? ts`), then source number and position (both in its id). */
  function key(line: MatchedLine): [number, number, number] {
    const [num, pos] = line.id.split('-').slice(-2).map(Number) as [number, number];
    return [line.eventTs ?? line.ts, num, pos];
  }

  function compareKeys(a: MatchedLine, b: MatchedLine): number {
    const [x, y] = [key(a), key(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  }

  it('pages through matches with a cursor, with no gap and no duplicate, in time order both ways', async () => {
    let first = await hub();
    const logA = join(dir, 'a.log');
    const logB = join(dir, 'b.log');
    await agent(first, 'host-a', logA);
    await agent(first, 'host-b', logB);
    const watcher = await viewer(first, 'sentinel');
    // Lines of both files interleaved in time, with lines the query does not match among them.
    const written = { a: [] as string[], b: [] as string[] };
    const writeRound = async (round: number) => {
      for (const [name, log] of [['a', logA], ['b', logB]] as const) {
        const lines = numbered(`line ${name}`, 20, round * 20).map((line, i) => (i % 5 === 4 ? `noise ${line}` : line));
        await appendLines(log, lines);
        written[name].push(...lines.filter((line) => line.startsWith('line')));
      }
    };
    for (let round = 0; round < 5; round += 1) await writeRound(round);
    await appendSentinel(watcher, logA, 'sentinel a1');
    await appendSentinel(watcher, logB, 'sentinel b1');
    // A kill -9 and a restart seal what is there into blocks; what follows is in open blocks.
    first.process.kill('SIGKILL');
    await first.process.exited;
    first = await hub(first.port);
    const late = await viewer(first, 'sentinel');
    for (let round = 5; round < 10; round += 1) await writeRound(round);
    await appendSentinel(late, logA, 'sentinel a2');
    await appendSentinel(late, logB, 'sentinel b2');
    expect(written.a.length + written.b.length).toBe(320);

    const query = { q: '^line' };
    const all = (await page(first, { ...query, order: 'asc', limit: '10000' })).lines;
    expect(all.map((line) => line.line).sort()).toEqual([...written.a, ...written.b].sort());
    expect(new Set(all.map((line) => line.id)).size).toBe(all.length);
    for (let i = 1; i < all.length; i += 1) expect(compareKeys(all[i - 1]!, all[i]!), `${all[i - 1]!.id} before ${all[i]!.id}`).toBeLessThan(0);
    // Each file's lines in file order.
    expect(all.filter((line) => line.file === logA).map((line) => line.line)).toEqual(written.a);
    expect(all.filter((line) => line.file === logB).map((line) => line.line)).toEqual(written.b);

    const ascending = await allPages(first, { ...query, order: 'asc' }, 7);
    expect(ascending.slice(0, -1).every((lines) => lines.length === 7)).toBe(true);
    expect(ascending.flat().map((line) => line.id)).toEqual(all.map((line) => line.id));

    const descending = await allPages(first, { ...query, order: 'desc' }, 7);
    expect(descending.slice(0, -1).every((lines) => lines.length === 7)).toBe(true);
    expect(descending.flat().map((line) => line.id)).toEqual(all.map((line) => line.id).reverse());

    // The CLI pages the same way (pages of at most 10,000, here one) and prints the same lines.
    const cli = await searchCli(first.url, '^line', ['--order', 'asc', '--limit', '100000']);
    expect(cli.code, cli.stderr.join('\n')).toBe(0);
    expect(cli.lines.map((line) => line.id)).toEqual(all.map((line) => line.id));
    const limited = await searchCli(first.url, '^line', ['--order', 'desc', '--limit', '10']);
    expect(limited.lines.map((line) => line.id)).toEqual(all.map((line) => line.id).reverse().slice(0, 10));
  });

  it('selects lines by the time they state: --from 2h --to 30m finds lines of an hour ago, --from 10m does not', async () => {
    const running = await hub();
    const log = join(dir, 'app.log');
    await agent(running, 'host-a', log);
    const watcher = await viewer(running, 'sentinel');
    const hourAgo = Date.now() - 60 * 60_000;
    const old = Array.from({ length: 20 }, (_, i) => `${new Date(hourAgo + i * 1_000).toISOString()} INFO old event ${i}`);
    const fresh = numbered('fresh event', 20);
    // Interleaved in the file: line time, not arrival, decides.
    await appendLines(log, old.flatMap((line, i) => [line, fresh[i]!]));
    await appendSentinel(watcher, log, 'sentinel');

    const past = await searchCli(running.url, 'event', ['--from', '2h', '--to', '30m', '--order', 'asc']);
    expect(past.code, past.stderr.join('\n')).toBe(0);
    expect(past.lines.map((line) => line.line)).toEqual(old);
    expect(past.lines.map((line) => line.eventTs)).toEqual(old.map((_, i) => hourAgo + i * 1_000));

    const recent = await searchCli(running.url, 'event', ['--from', '10m', '--order', 'asc']);
    expect(recent.code, recent.stderr.join('\n')).toBe(0);
    expect(recent.lines.map((line) => line.line)).toEqual(fresh);

    // With no range, the old lines sort first (by the time they state), though they arrived with the fresh ones.
    const everything = await searchCli(running.url, 'event', ['--order', 'asc']);
    expect(everything.lines.map((line) => line.line)).toEqual([...old, ...fresh]);
  });
});
