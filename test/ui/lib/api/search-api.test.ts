import { describe, expect, it, vi } from 'vitest';
import type { SearchRecord } from '../../../../protocol/index.js';
import { ApiError } from '../../../../ui/src/lib/api/api-client.js';
import { searchPath, searchRecords } from '../../../../ui/src/lib/api/search-api.js';

function ndjsonFetch(status: number, chunks: string[]) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    return new Response(body, { status });
  });
}

async function collect(iterable: AsyncIterable<SearchRecord>): Promise<SearchRecord[]> {
  const records: SearchRecord[] = [];
  for await (const record of iterable) records.push(record);
  return records;
}

describe('searchPath', () => {
  it('puts the filter, the times as ms since the epoch, the order, the limit and the cursor in the query', () => {
    const path = searchPath({
      filter: { query: 'status=5\\d\\d', exclude: 'health', caseInsensitive: true, hosts: ['web-*', 'api-1'], files: ['*.log'] },
      from: 1_700_000_000_000.4,
      to: 1_700_000_900_000.2,
      order: 'desc',
      limit: 200,
      cursor: 'abc=',
    });
    const url = new URL(path, 'http://hub.test');
    expect(url.pathname).toBe('/api/search');
    expect([...url.searchParams]).toEqual([
      ['q', 'status=5\\d\\d'],
      ['exclude', 'health'],
      ['i', '1'],
      ['hosts', 'web-*'],
      ['hosts', 'api-1'],
      ['files', '*.log'],
      ['from', '1700000000000'],
      ['to', '1700000900001'],
      ['order', 'desc'],
      ['limit', '200'],
      ['cursor', 'abc='],
    ]);
  });

  it('puts pod scopes in the query as namespaces, pods and containers, repeated', () => {
    const url = new URL(searchPath({ filter: { query: 'x', namespaces: ['shop'], pods: ['a-*', 'b-*'], containers: ['app'] }, order: 'asc' }), 'http://hub.test');
    expect([...url.searchParams].slice(1, 5)).toEqual([
      ['namespaces', 'shop'],
      ['pods', 'a-*'],
      ['pods', 'b-*'],
      ['containers', 'app'],
    ]);
  });

  it('leaves out what is not set', () => {
    expect(searchPath({ filter: { query: '' }, order: 'asc' })).toBe('/api/search?q=&order=asc');
  });
});

describe('searchRecords', () => {
  it('streams the checked records of the answer, with the token', async () => {
    const line = { id: 'h-1-2', host: 'web-1', file: '/a.log', ts: 5, eventTs: 4, line: 'boom', ranges: [[0, 4]] };
    const fetch = ndjsonFetch(200, [`{"type":"progress","scannedBytes":1,"totalBytes":2}\n{"type":"match","line":`, `${JSON.stringify(line)}}\n{"type":"done","count":1,"partial":false}\n`]);
    const records = await collect(searchRecords({ filter: { query: 'boom' }, order: 'asc' }, { token: 'tok', fetch }));
    expect(records).toEqual([{ type: 'progress', scannedBytes: 1, totalBytes: 2 }, { type: 'match', line }, { type: 'done', count: 1, partial: false }]);
    expect(fetch.mock.calls[0]![1]?.headers).toMatchObject({ authorization: 'Bearer tok' });
  });

  it('throws the hub’s refusal, and a record that is not one', async () => {
    const refused = vi.fn(async () => new Response(JSON.stringify({ error: { code: 'SG_ERR_BAD_REQUEST', message: 'from: not a time' } }), { status: 400 }));
    await expect(collect(searchRecords({ filter: { query: '' }, order: 'asc' }, { fetch: refused }))).rejects.toEqual(new ApiError(400, 'SG_ERR_BAD_REQUEST', 'from: not a time'));
    const odd = ndjsonFetch(200, ['{"type":"match","line":{"id":1}}\n']);
    await expect(collect(searchRecords({ filter: { query: '' }, order: 'asc' }, { fetch: odd }))).rejects.toThrow(/unexpected record/);
  });
});
