import { describe, expect, it } from 'vitest';
import type { FilterSpec, SearchDoneRecord, SearchRecord } from '../../../../../protocol/index.js';
import { seededRandom } from '../../../../../lib/seeded-random.js';
import { compileFilter } from '../../../../../server/filter/filter-compiler.js';
import { FilterEngine } from '../../../../../server/filter/filter-engine.js';
import type { EventTimeOf, TimeWindow } from '../../../../../server/history/search/block-scan.js';
import { compareKeys, decodeCursor, type LineKey, type SearchOrder } from '../../../../../server/history/search/line-key.js';
import { runSearch, type SearchRequest } from '../../../../../server/history/search/search-executor.js';
import { TimeSlicer } from '../../../../../server/history/search/time-slicer.js';
import { MemoryHistory, type StoredLine } from '../../../../helpers/memory-history.js';

const slicer = new TimeSlicer(5);

async function collect(history: MemoryHistory, request: SearchRequest, options: { eventTimeOf?: EventTimeOf; signal?: AbortSignal; slicer?: TimeSlicer } = {}): Promise<SearchRecord[]> {
  const records: SearchRecord[] = [];
  for await (const record of runSearch(request, { reader: history, slicer: options.slicer ?? slicer, eventTimeOf: options.eventTimeOf, signal: options.signal })) records.push(record);
  return records;
}

function request(spec: FilterSpec, extra: Partial<SearchRequest> = {}): SearchRequest {
  return { filter: compileFilter(spec), window: {}, order: 'desc', limit: 10_000, ...extra };
}

const ids = (records: SearchRecord[]) => records.flatMap((record) => (record.type === 'match' ? [record.line.id] : []));
const doneOf = (records: SearchRecord[]) => records.at(-1) as SearchDoneRecord;

/** What a search must return: the lines `keep` accepts, in time order, as ids. */
function reference(history: MemoryHistory, keep: (line: StoredLine) => boolean, order: SearchOrder, window: TimeWindow = {}): string[] {
  const key = (line: StoredLine): LineKey => ({ time: line.time, num: line.source.num, pos: line.pos });
  return history.lines
    .filter((line) => keep(line) && (window.from === undefined || line.time >= window.from) && (window.to === undefined || line.time <= window.to))
    .sort((a, b) => (order === 'asc' ? compareKeys(key(a), key(b)) : compareKeys(key(b), key(a))))
    .map((line) => line.source.idPrefix + line.pos);
}

/** Several sources whose blocks overlap in time, with many lines sharing one time across sources. */
function randomHistory(seed: number, eventTimeOf?: EventTimeOf): MemoryHistory {
  const random = seededRandom(seed);
  const history = new MemoryHistory(eventTimeOf);
  const sources = [history.source('web-1', '/var/log/app.log'), history.source('web-2', '/var/log/app.log'), history.source('db-1', '/var/log/pg.log'), history.source('web-1', '/var/log/access.log')];
  const words = ['error', 'warn', 'info', 'debug'];
  let n = 0;
  for (let round = 0; round < 40; round += 1) {
    for (const source of sources) {
      if (random() < 0.3) continue;
      // Times jump back now and then (a resent batch), and often tie across sources.
      const ts = 1_000 + Math.floor(random() * 30) * 10 + round * 50;
      const lines = Array.from({ length: 1 + Math.floor(random() * 6) }, () => `${words[Math.floor(random() * words.length)]!} line ${(n += 1)}`);
      history.append(source, ts, lines);
      if (random() < 0.35) history.seal(source);
    }
  }
  return history;
}

describe('runSearch', () => {
  it.each<SearchOrder>(['desc', 'asc'])('merges sources with overlapping time spans into one time order (%s)', async (order) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const history = randomHistory(seed);
      const records = await collect(history, request({ query: 'error|warn' }, { order }));
      expect(ids(records)).toEqual(reference(history, (line) => /error|warn/.test(line.text), order));
      expect(doneOf(records)).toEqual({ type: 'done', count: ids(records).length, partial: false });
    }
  });

  it.each<SearchOrder>(['desc', 'asc'])('pages with a cursor give exactly the whole result, with no gap and no duplicate (%s)', async (order) => {
    for (const [seed, limit] of [[11, 1], [12, 7], [13, 50]] as const) {
      const history = randomHistory(seed);
      const expected = reference(history, (line) => line.text.startsWith('info') || line.text.startsWith('error'), order, { from: 1_200, to: 2_400 });
      const got: string[] = [];
      let cursor: LineKey | undefined;
      for (let page = 0; page < 2_000; page += 1) {
        const records = await collect(history, request({ query: '^(info|error)' }, { order, limit, cursor, window: { from: 1_200, to: 2_400 } }));
        const done = doneOf(records);
        expect(done.count).toBe(ids(records).length);
        expect(done.count).toBeLessThanOrEqual(limit);
        got.push(...ids(records));
        if (done.cursor === undefined) break;
        cursor = decodeCursor(done.cursor);
        expect(cursor).toBeDefined();
      }
      expect(expected.length).toBeGreaterThan(50);
      expect(got).toEqual(expected);
    }
  });

  it('gives no cursor when the page holds the last match, and one when it may not', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    history.append(web, 100, ['x 1', 'x 2', 'x 3']);
    expect(doneOf(await collect(history, request({ query: 'x' }, { limit: 3 }))).cursor).toBeUndefined();
    expect(doneOf(await collect(history, request({ query: 'x' }, { limit: 4 }))).cursor).toBeUndefined();
    const two = await collect(history, request({ query: 'x' }, { limit: 2 }));
    expect(ids(two)).toEqual(['hub-1-8', 'hub-1-4']);
    expect(decodeCursor(doneOf(two).cursor!)).toEqual({ time: 100, num: 1, pos: 4 });
  });

  it('includes lines exactly at from and to, and none outside', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (const ts of [99, 100, 150, 200, 201]) {
      history.append(web, ts, [`hit ${ts}`]);
      history.seal(web);
    }
    const records = await collect(history, request({ query: 'hit' }, { order: 'asc', window: { from: 100, to: 200 } }));
    expect(records.flatMap((record) => (record.type === 'match' ? [record.line.line] : []))).toEqual(['hit 100', 'hit 150', 'hit 200']);
    // A block that only touches the window's edge is read; one outside it is not even selected.
    const total = records.find((record) => record.type === 'progress')!;
    expect(total).toEqual({ type: 'progress', scannedBytes: 0, totalBytes: 3 * 'hit 100\n'.length });
  });

  it('searches only the sources the host and file globs select', async () => {
    const history = randomHistory(21);
    const records = await collect(history, request({ query: 'error', hosts: ['web-*'], files: ['app.log'] }));
    const expected = reference(history, (line) => line.text.includes('error') && line.source.host.startsWith('web-') && line.source.file.endsWith('/app.log'), 'desc');
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(records)).toEqual(expected);
  });

  it('gives the lines, ids and highlight ranges the live filter engine gives', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    const lines = ['GET /héllo 500 error', 'ok', 'error error', 'x😀 ERROR'];
    history.append(web, 100, lines);
    const spec: FilterSpec = { query: 'error', caseInsensitive: true, exclude: '^ok' };
    const engine = new FilterEngine();
    engine.acquire(spec);
    const [batch] = history.read(history.allBlocks()[0]!);
    const live = engine.matchBatch(web, batch!)[0]!.lines;
    const records = await collect(history, request(spec, { order: 'asc' }));
    expect(records.flatMap((record) => (record.type === 'match' ? [record.line] : []))).toEqual(live);
  });

  it('orders by event time when lines state one, and says so in eventTs', async () => {
    // "@123 text": the line states time 123.
    const eventTimeOf: EventTimeOf = (body, start, end) => {
      const match = /^@(\d+) /.exec(body.toString('utf8', start, end));
      return match ? Number(match[1]) : undefined;
    };
    const history = new MemoryHistory(eventTimeOf);
    const a = history.source('web-1', 'a.log');
    const b = history.source('web-2', 'a.log');
    history.append(a, 1_000, ['@300 late resend', 'plain at 1000']);
    history.append(b, 500, ['@100 old', '@600 newer']);
    const records = await collect(history, request({ query: '' }, { order: 'asc', window: { to: 600 } }), { eventTimeOf });
    expect(records.flatMap((record) => (record.type === 'match' ? [[record.line.line, record.line.eventTs]] : []))).toEqual([
      ['@100 old', 100],
      ['@300 late resend', 300],
      ['@600 newer', 600],
    ]);
  });

  it('skips a corrupt block, counts it, and says the result is partial', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    history.append(web, 100, ['hit 1']);
    history.seal(web);
    history.append(web, 200, ['hit 2']);
    history.seal(web);
    history.append(web, 300, ['hit 3']);
    history.corrupt.add(history.allBlocks()[1]!);
    const records = await collect(history, request({ query: 'hit' }));
    expect(records.flatMap((record) => (record.type === 'match' ? [record.line.line] : []))).toEqual(['hit 3', 'hit 1']);
    expect(doneOf(records)).toEqual({ type: 'done', count: 2, partial: true, corruptBlocks: 1 });
    expect(records.at(-2)).toEqual({ type: 'progress', scannedBytes: 18, totalBytes: 18 });
  });

  it('stops reading blocks once cancelled', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (let i = 0; i < 50; i += 1) {
      history.append(web, i, [`hit ${i}`]);
      history.seal(web);
    }
    const controller = new AbortController();
    const records: SearchRecord[] = [];
    const run = (async () => {
      for await (const record of runSearch(request({ query: 'hit' }), { reader: history, slicer: new TimeSlicer(0), signal: controller.signal })) {
        records.push(record);
        if (record.type === 'match') controller.abort(new Error('gone'));
      }
    })();
    await expect(run).rejects.toThrow('gone');
    expect(ids(records)).toHaveLength(1);
    expect(history.reads).toBeLessThan(5);
  });

  it('lets the event loop run between slices of a long scan', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (let i = 0; i < 20; i += 1) {
      history.append(web, i, [`hit ${i}`]);
      history.seal(web);
    }
    let finished = false;
    let ranDuringScan = false;
    const scan = collect(history, request({ query: 'hit' }), { slicer: new TimeSlicer(0) }).then(() => (finished = true));
    setImmediate(() => (ranDuringScan = !finished));
    await scan;
    expect(ranDuringScan).toBe(true);
  });
});
