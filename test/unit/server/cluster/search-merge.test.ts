import { describe, expect, it } from 'vitest';
import type { MatchedLine } from '../../../../protocol/index.js';
import { seededRandom } from '../../../../lib/seeded-random.js';
import { compileFilter } from '../../../../server/filter/filter-compiler.js';
import {
  clusterKeyOf,
  compareClusterInOrder,
  decodeCursor,
  encodeCursor,
  hubShare,
  type ClusterKey,
  type SearchOrder,
} from '../../../../server/history/search/line-key.js';
import { runSearch } from '../../../../server/history/search/search-executor.js';
import { TimeSlicer } from '../../../../server/history/search/time-slicer.js';
import { SearchMerge } from '../../../../server/cluster/search-merge.js';
import { MemoryHistory } from '../../../helpers/memory-history.js';

const slicer = new TimeSlicer(5);
const HUBS = ['hub-b', 'hub-a', 'hub-c'];

function line(hub: string, time: number, num: number, pos: number): { key: ClusterKey; line: MatchedLine } {
  return { key: { time, hub, num, pos }, line: { id: `${hub}-${num}-${pos}`, host: 'h', file: 'f', ts: time, line: `${hub} ${time}`, ranges: [] } };
}

/** Each hub's history: a few sources whose lines share a handful of times, so ties across hubs are common. */
function hubHistory(seed: number): MemoryHistory {
  const random = seededRandom(seed);
  const history = new MemoryHistory();
  const sources = [history.source('web-1', 'app.log'), history.source('web-2', 'app.log')];
  for (let round = 0; round < 25; round += 1) {
    for (const source of sources) {
      if (random() < 0.3) continue;
      history.append(source, 1_000 + Math.floor(random() * 12) * 10, Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => `line ${round} ${i}`));
      if (random() < 0.4) history.seal(source);
    }
  }
  return history;
}

/** One page as the cluster serves it: each hub searches its share after the cursor, the merge orders them. */
async function page(histories: Map<string, MemoryHistory>, order: SearchOrder, limit: number, cursor: ClusterKey | undefined): Promise<{ ids: string[]; next?: string }> {
  const merge = new SearchMerge(order, limit, histories.keys());
  for (const [hub, history] of histories) {
    const request = { filter: compileFilter({ query: '' }), window: {}, order, limit, cursor: cursor && hubShare(cursor, hub) };
    for await (const record of runSearch(request, { reader: history, slicer })) {
      if (record.type === 'match') merge.add(hub, [{ key: { ...clusterKeyOf(record.line)!, hub }, line: { ...record.line, id: `${hub}:${record.line.id}` } }]);
      if (record.type === 'done') merge.end(hub, record.cursor !== undefined);
    }
  }
  const ids = merge.take().map((matched) => matched.id);
  expect(merge.finished).toBe(true);
  const next = merge.cursor();
  return { ids, ...(next ? { next: encodeCursor(next) } : {}) };
}

describe('SearchMerge', () => {
  it('releases a line only once every hub still answering has sent one at or after it', () => {
    const merge = new SearchMerge('asc', 10, ['a', 'b']);
    merge.add('a', [line('a', 5, 1, 0), line('a', 9, 1, 1)]);
    expect(merge.take()).toEqual([]); // b might still send a line before 5.
    merge.add('b', [line('b', 7, 1, 0)]);
    expect(merge.take().map((l) => l.id)).toEqual(['a-1-0', 'b-1-0']);
    merge.end('b', false);
    expect(merge.take().map((l) => l.id)).toEqual(['a-1-1']);
    expect(merge.finished).toBe(false);
    merge.end('a', false);
    expect(merge.finished).toBe(true);
    expect(merge.cursor()).toBeUndefined();
  });

  it('breaks ties in time by hub id, in both orders', () => {
    for (const order of ['asc', 'desc'] as const) {
      const merge = new SearchMerge(order, 10, ['b', 'a']);
      merge.add('b', [line('b', 5, 1, 0)]);
      merge.add('a', [line('a', 5, 2, 3)]);
      merge.end('a', false);
      merge.end('b', false);
      expect(merge.take().map((l) => l.id)).toEqual(order === 'asc' ? ['a-2-3', 'b-1-0'] : ['b-1-0', 'a-2-3']);
    }
  });

  it('keeps what a failed hub sent, names it, and stops waiting for it', () => {
    const merge = new SearchMerge('desc', 10, ['a', 'b']);
    merge.add('a', [line('a', 9, 1, 0), line('a', 3, 1, 1)]);
    merge.add('b', [line('b', 8, 1, 0)]);
    merge.fail('b', 'no answer within 2000 ms');
    merge.end('a', false);
    expect(merge.take().map((l) => l.id)).toEqual(['a-1-0', 'b-1-0', 'a-1-1']);
    expect(merge.failures).toEqual([{ hubId: 'b', reason: 'no answer within 2000 ms' }]);
    merge.add('b', [line('b', 1, 1, 1)]); // Late: ignored.
    expect(merge.take()).toEqual([]);
    expect(merge.finished).toBe(true);
  });

  it('refuses a hub\u2019s lines out of its order, or before a line already emitted', () => {
    const merge = new SearchMerge('asc', 10, ['a', 'b']);
    expect(merge.add('a', [line('a', 5, 1, 1), line('a', 5, 1, 0)])).toBe(false);
    expect(merge.add('a', [line('a', 5, 1, 0)])).toBe(true);
    expect(merge.add('b', [line('b', 6, 1, 0)])).toBe(true);
    expect(merge.take().map((l) => l.id)).toEqual(['a-1-0']);
    expect(merge.add('a', [line('a', 4, 1, 0)])).toBe(false);
    expect(merge.add('a', [line('a', 7, 1, 0)])).toBe(true);
  });

  it('sums progress over hubs', () => {
    const merge = new SearchMerge('asc', 1, ['a', 'b']);
    merge.progress('a', 10, 100);
    merge.progress('b', 5, 50);
    merge.progress('a', 20, 100);
    expect(merge.totals()).toEqual({ scannedBytes: 25, totalBytes: 150 });
  });

  it.each<SearchOrder>(['asc', 'desc'])('pages across hubs with a cursor: every line once, in the cluster order (%s)', async (order) => {
    for (const seed of [1, 2, 3]) {
      const histories = new Map(HUBS.map((hub, index) => [hub, hubHistory(seed * 10 + index)]));
      const expected = [...histories]
        .flatMap(([hub, history]) => history.lines.map((stored) => ({ key: { time: stored.time, hub, num: stored.source.num, pos: stored.pos }, id: `${hub}:${stored.source.idPrefix}${stored.pos}` })))
        .sort((a, b) => compareClusterInOrder(order, a.key, b.key))
        .map((entry) => entry.id);
      expect(expected.length).toBeGreaterThan(100);
      for (const limit of [1, 7, 50]) {
        const seen: string[] = [];
        let cursor: ClusterKey | undefined;
        for (let pages = 0; pages <= expected.length; pages += 1) {
          const { ids, next } = await page(histories, order, limit, cursor);
          seen.push(...ids);
          if (next === undefined) break;
          cursor = decodeCursor(next) as ClusterKey;
        }
        expect(seen).toEqual(expected);
      }
    }
  });
});

describe('cluster cursors', () => {
  it('still reads a single hub\u2019s cursor, and names the hub in a cluster\u2019s', () => {
    expect(decodeCursor(encodeCursor({ time: 5, num: 2, pos: 40 }))).toEqual({ time: 5, num: 2, pos: 40 });
    expect(decodeCursor(encodeCursor({ time: 5, hub: 'a1b2', num: 2, pos: 40 }))).toEqual({ time: 5, hub: 'a1b2', num: 2, pos: 40 });
    expect(decodeCursor(Buffer.from(JSON.stringify({ v: 2, last: [5, '', 2, 40] })).toString('base64url'))).toBeUndefined();
  });

  it('gives each hub its share of the cursor: the same hub resumes after the line, others by hub id', () => {
    const last = { time: 100, hub: 'm', num: 3, pos: 7 };
    expect(hubShare(last, 'm')).toEqual({ time: 100, num: 3, pos: 7 });
    // A hub sorting before `m` already gave every line of time 100; one after it gave none.
    expect(hubShare(last, 'a')).toEqual({ time: 100, num: Number.MAX_SAFE_INTEGER, pos: Number.MAX_SAFE_INTEGER });
    expect(hubShare(last, 'z')).toEqual({ time: 100, num: -1, pos: -1 });
  });
});
