import { describe, expect, it, vi } from 'vitest';
import type { MatchedLine, SearchRecord } from '../../../../protocol/index.js';
import { SearchResults, type ResultsRequest } from '../../../../ui/src/features/history/search-results.js';
import type { SearchQuery } from '../../../../ui/src/lib/api/search-api.js';
import { line } from '../../helpers/fake-hub.js';

const at = (id: string, ts: number): MatchedLine => line(id, { id, ts });
const request: ResultsRequest = { filter: { query: 'err' }, from: 1_000, to: 2_000, order: 'desc', label: 'Last 15 min' };

/** Records the test releases one at a time, so what the store shows mid-stream can be checked. */
function controlledSearch() {
  const queries: SearchQuery[] = [];
  const signals: AbortSignal[] = [];
  let push: ((record: SearchRecord | undefined) => void) | undefined;
  const queue: (SearchRecord | undefined)[] = [];
  const next = () => new Promise<SearchRecord | undefined>((resolve) => (queue.length > 0 ? resolve(queue.shift()) : (push = resolve)));
  const search = vi.fn(async function* (query: SearchQuery, signal?: AbortSignal): AsyncGenerator<SearchRecord> {
    queries.push(query);
    if (signal) signals.push(signal);
    for (;;) {
      const record = await next();
      if (!record) return;
      yield record;
    }
  });
  const send = (record: SearchRecord | undefined) => {
    if (push) {
      const resolve = push;
      push = undefined;
      resolve(record);
    } else queue.push(record);
  };
  return { search, queries, signals, send };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SearchResults deploy markers', () => {
  it('places each deploy record before the line that followed it, once across pages', async () => {
    const deploy = { id: 'd1', label: 'web', startedAt: 1_500, createdAt: 1_500 };
    const pages: SearchRecord[][] = [
      [{ type: 'match', line: at('c', 1_700) }, { type: 'deploy', deploy }, { type: 'match', line: at('b', 1_400) }, { type: 'done', count: 2, partial: false, cursor: 'next' }],
      [{ type: 'deploy', deploy }, { type: 'match', line: at('a', 1_300) }, { type: 'done', count: 1, partial: false }],
    ];
    const search = vi.fn(async function* (): AsyncGenerator<SearchRecord> {
      yield* pages.shift()!;
    });
    const results = new SearchResults(search);
    await results.start(request);
    await results.loadMore();
    const state = results.getSnapshot();
    expect(state.lines.map((l) => l.id)).toEqual(['c', 'b', 'a']);
    expect(state.deploys).toEqual([{ deploy, at: 1 }]);
  });
});

describe('SearchResults', () => {
  it('streams matches with progress, then "done" with a cursor; Load more follows it without repeating a line', async () => {
    const fake = controlledSearch();
    let now = 0;
    const results = new SearchResults(fake.search, () => now, 2);
    const running = results.start(request);
    expect(fake.queries[0]).toEqual({ filter: { query: 'err' }, order: 'desc', from: 1_000, to: 2_000, limit: 2, cursor: undefined });
    fake.send({ type: 'progress', scannedBytes: 10, totalBytes: 100 });
    fake.send({ type: 'match', line: at('c', 1_900) });
    await settle();
    // Matches are shown in batches (at most every 100 ms), progress at once.
    expect(results.getSnapshot()).toMatchObject({ status: 'running', count: 0, scannedBytes: 10 });
    now = 200;
    fake.send({ type: 'progress', scannedBytes: 10, totalBytes: 100 });
    await settle();
    expect(results.getSnapshot()).toMatchObject({ status: 'running', count: 1, scannedBytes: 10, totalBytes: 100 });
    fake.send({ type: 'match', line: at('b', 1_800) });
    fake.send({ type: 'done', count: 2, partial: false, cursor: 'k1' });
    fake.send(undefined);
    await running;
    expect(results.getSnapshot()).toMatchObject({ status: 'done', count: 2, cursor: 'k1', partial: false });

    const more = results.loadMore();
    expect(results.getSnapshot().cursor).toBeUndefined();
    expect(fake.queries[1]).toMatchObject({ cursor: 'k1', order: 'desc', from: 1_000, to: 2_000 });
    // A hub that repeats the line at the page boundary: shown once.
    fake.send({ type: 'match', line: at('b', 1_800) });
    fake.send({ type: 'match', line: at('a', 1_700) });
    fake.send({ type: 'done', count: 2, partial: false });
    fake.send(undefined);
    await more;
    const state = results.getSnapshot();
    expect(state.lines.slice(0, state.count).map((l) => l.id)).toEqual(['c', 'b', 'a']);
    expect(state).toMatchObject({ status: 'done', cursor: undefined });
  });

  it('cancels: aborts the request and keeps what arrived', async () => {
    const fake = controlledSearch();
    const results = new SearchResults(fake.search, () => 0);
    const running = results.start(request);
    fake.send({ type: 'match', line: at('a', 1_500) });
    await settle();
    results.cancel();
    expect(fake.signals[0]!.aborted).toBe(true);
    fake.send({ type: 'match', line: at('b', 1_400) });
    fake.send(undefined);
    await running;
    expect(results.getSnapshot()).toMatchObject({ status: 'cancelled', count: 1 });
  });

  it('labels partial results with the hubs that did not answer, and reports error records and cut streams', async () => {
    const fake = controlledSearch();
    const results = new SearchResults(fake.search, () => 0);
    let running = results.start(request);
    fake.send({ type: 'done', count: 0, partial: true, failures: [{ hubId: 'hub-b', reason: 'no answer in 5 s' }], corruptBlocks: 1 });
    fake.send(undefined);
    await running;
    expect(results.getSnapshot()).toMatchObject({ status: 'done', partial: true, failures: [{ hubId: 'hub-b', reason: 'no answer in 5 s' }], corruptBlocks: 1 });

    running = results.start(request);
    expect(results.getSnapshot()).toMatchObject({ partial: false, failures: [] });
    fake.send({ type: 'error', code: 'SG_ERR_TOO_EXPENSIVE', message: 'too costly' });
    await running;
    expect(results.getSnapshot()).toMatchObject({ status: 'error', error: 'SG_ERR_TOO_EXPENSIVE: too costly' });

    running = results.start(request);
    fake.send({ type: 'match', line: at('a', 1_500) });
    fake.send(undefined);
    await running;
    expect(results.getSnapshot()).toMatchObject({ status: 'error', count: 1, error: expect.stringContaining('stopped answering') });
  });

  it('jumps to a time: the lines just before it, oldest first, then the ones from it on', async () => {
    const fake = controlledSearch();
    const results = new SearchResults(fake.search, () => 0);
    const running = results.start({ ...request, order: 'asc', around: 1_500 });
    expect(fake.queries[0]).toMatchObject({ order: 'desc', from: 1_000, to: 1_500 });
    fake.send({ type: 'match', line: at('b', 1_499) });
    fake.send({ type: 'match', line: at('a', 1_400) });
    fake.send({ type: 'done', count: 2, partial: false, cursor: 'older' });
    fake.send(undefined);
    await settle();
    await settle();
    expect(fake.queries[1]).toMatchObject({ order: 'asc', from: 1_500, to: 2_000 });
    fake.send({ type: 'match', line: at('b', 1_499) });
    fake.send({ type: 'match', line: at('c', 1_500) });
    fake.send({ type: 'done', count: 2, partial: false, cursor: 'newer' });
    fake.send(undefined);
    await running;
    const state = results.getSnapshot();
    expect(state.lines.slice(0, state.count).map((l) => l.id)).toEqual(['a', 'b', 'c']);
    // Load more continues after the time, not before it.
    expect(state.cursor).toBe('newer');
  });
});
