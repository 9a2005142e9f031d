import { describe, expect, it, vi } from 'vitest';
import type { MatchedLine, SearchRecord } from '../../../../protocol/index.js';
import { OlderLines } from '../../../../ui/src/features/history/older-lines.js';
import { PaneStream } from '../../../../ui/src/features/stream/pane-stream.js';
import type { SearchQuery } from '../../../../ui/src/lib/api/search-api.js';
import { line } from '../../helpers/fake-hub.js';

const at = (id: string, ts: number): MatchedLine => line(id, { id, ts });

/**
 * A history of lines (oldest first) answering desc searches as the hub would: lines with time
 * before `to` (exclusive), newest first, `limit` at a time, the cursor being the last id returned.
 */
function fakeHistory(history: MatchedLine[]) {
  const queries: SearchQuery[] = [];
  const search = vi.fn(async function* (query: SearchQuery): AsyncGenerator<SearchRecord> {
    queries.push(query);
    let candidates = history.filter((l) => query.to === undefined || l.ts < query.to).reverse();
    if (query.cursor !== undefined) candidates = candidates.slice(candidates.findIndex((l) => l.id === query.cursor) + 1);
    const page = candidates.slice(0, query.limit);
    for (const l of page) yield { type: 'match', line: l };
    const more = candidates.length > page.length;
    yield { type: 'done', count: page.length, partial: false, ...(more ? { cursor: page.at(-1)!.id } : {}) };
  });
  return { search, queries };
}

function ids(stream: PaneStream): string[] {
  const out: string[] = [];
  for (let seq = stream.firstSeq; ; seq++) {
    const entry = stream.entryAt(seq);
    if (!entry) return out;
    if (entry.kind === 'line') out.push(entry.line.id);
  }
}

describe('OlderLines', () => {
  it('puts the deploy dividers history sends among older lines at their place above the held ones', async () => {
    const stream = new PaneStream(100);
    stream.append([{ kind: 'line', line: at('live', 2_000), backlog: true }]);
    const deploy = { id: 'd1', label: 'web', startedAt: 1_500, createdAt: 1_500 };
    const search = vi.fn(async function* (): AsyncGenerator<SearchRecord> {
      // Newest first, as the hub sends them: the deploy before the first line older than it.
      yield { type: 'match', line: at('b', 1_600) };
      yield { type: 'deploy', deploy };
      yield { type: 'match', line: at('a', 1_400) };
      yield { type: 'done', count: 2, partial: false };
    });
    await new OlderLines(stream, search, () => ({ query: 'x' })).load();
    const shown: string[] = [];
    for (let seq = stream.firstSeq; stream.entryAt(seq); seq++) {
      const entry = stream.entryAt(seq)!;
      shown.push(entry.kind === 'line' ? entry.line.id : entry.kind);
    }
    expect(shown).toEqual(['a', 'deploy', 'b', 'live']);
  });

  it('fills in history above the live buffer page by page, with no gap and no duplicate at the seam', async () => {
    // h0..h9 are in history only; h10..h12 in history and in the live buffer (they share ids),
    // h11 in the same millisecond as h10, the live buffer's oldest line.
    const history = Array.from({ length: 13 }, (_, n) => at(`h${n}`, 1_000 + n * 10 - (n === 11 ? 10 : 0)));
    const stream = new PaneStream(100);
    stream.append([history[10]!, history[11]!, history[12]!].map((l) => ({ kind: 'line', line: l, backlog: true })));
    stream.pause('scroll');
    const { search, queries } = fakeHistory(history);
    const older = new OlderLines(stream, search, () => ({ query: 'x' }), 4);

    await older.load();
    expect(queries[0]).toMatchObject({ order: 'desc', to: 1_101, limit: 4, filter: { query: 'x' } });
    expect(queries[0]!.cursor).toBeUndefined();
    // The page was h11 (same millisecond as h10), h10, h9, h8: the two held ones were dropped by id.
    expect(ids(stream)).toEqual(['h8', 'h9', 'h10', 'h11', 'h12']);

    await older.load();
    expect(queries[1]).toMatchObject({ to: 1_101, cursor: 'h8' });
    await older.load();
    expect(ids(stream)).toEqual(history.map((l) => l.id));
    expect(older.getSnapshot()).toEqual({ status: 'end' });
    // At the end, scrolling up asks nothing more.
    await older.load();
    expect(search).toHaveBeenCalledTimes(queries.length);
  });

  it('stops once the pane is full rather than push newer lines out', async () => {
    const history = Array.from({ length: 10 }, (_, n) => at(`h${n}`, 1_000 + n * 10));
    const stream = new PaneStream(5);
    stream.append([{ kind: 'line', line: history[9]!, backlog: false }]);
    const { search, queries } = fakeHistory(history);
    const older = new OlderLines(stream, search, () => ({ query: '' }), 2);
    await older.load();
    // The page was h9 (held) and h8.
    expect(ids(stream)).toEqual(['h8', 'h9']);
    // Four live lines arrive: the bound (5) trims h8.
    stream.append([at('n1', 2_000), at('n2', 2_001), at('n3', 2_002), at('n4', 2_003)].map((l) => ({ kind: 'line', line: l, backlog: false })));
    expect(ids(stream)).toEqual(['h9', 'n1', 'n2', 'n3', 'n4']);
    expect(stream.canPrepend).toBe(false);
    await older.load();
    expect(older.getSnapshot()).toEqual({ status: 'full' });
    expect(queries).toHaveLength(1);
  });

  it('reports an error record and a stream cut before its end, and can be retried', async () => {
    const stream = new PaneStream(10);
    stream.append([{ kind: 'line', line: at('a', 5_000), backlog: false }]);
    const search = vi
      .fn()
      .mockImplementationOnce(async function* () {
        yield { type: 'error', code: 'SG_ERR_TOO_EXPENSIVE', message: 'pattern too costly' };
      })
      .mockImplementationOnce(async function* () {
        yield { type: 'match', line: at('z', 4_000) };
      });
    const older = new OlderLines(stream, search, () => ({ query: '' }));
    await older.load();
    expect(older.getSnapshot()).toEqual({ status: 'error', message: 'SG_ERR_TOO_EXPENSIVE: pattern too costly' });
    await older.load();
    expect(older.getSnapshot()).toMatchObject({ status: 'error', message: expect.stringContaining('stopped answering') });
    // What arrived before the cut is kept.
    expect(ids(stream)).toEqual(['z', 'a']);
  });

  it('says when the hub’s answer was partial', async () => {
    const stream = new PaneStream(10);
    const search = vi.fn(async function* (): AsyncGenerator<SearchRecord> {
      yield { type: 'done', count: 0, partial: true, failures: [{ hubId: 'hub-b', reason: 'timeout' }] };
    });
    const older = new OlderLines(stream, search, () => ({ query: '' }));
    await older.load();
    expect(older.notes.getSnapshot()).toEqual({ partial: true, failures: [{ hubId: 'hub-b', reason: 'timeout' }] });
    expect(older.getSnapshot().status).toBe('end');
  });
});
