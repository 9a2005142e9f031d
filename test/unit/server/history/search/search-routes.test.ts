import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { histogramSchema, searchRecordSchema, type SearchRecord } from '../../../../../protocol/index.js';
import { silentLogger } from '../../../../../lib/logger.js';
import { parseToken } from '../../../../../lib/tokens.js';
import { Authenticator } from '../../../../../server/access/authenticator.js';
import { createApiRouter } from '../../../../../server/api/api-router.js';
import type { HistoryReader } from '../../../../../server/history/history-reader.js';
import { searchRoutes } from '../../../../../server/history/search/search-routes.js';
import { SearchSlots } from '../../../../../server/history/search/search-slots.js';
import { TimeSlicer } from '../../../../../server/history/search/time-slicer.js';
import { api } from '../../../../helpers/http-api.js';
import { waitFor } from '../../../../helpers/wait.js';
import { MemoryHistory } from '../../../../helpers/memory-history.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** /api with the search routes over `history`, on a loopback port; viewer token `viewer-secret` when `tokens`. */
async function serve(history: HistoryReader | undefined, options: { tokens?: boolean; slots?: SearchSlots; slicer?: TimeSlicer } = {}): Promise<string> {
  const logger = silentLogger();
  const access = new Authenticator({ agentTokens: [], viewerTokens: options.tokens ? [parseToken('alice:viewer-secret')] : [], editorTokens: [], trustedProxies: [] }, logger);
  const mount = searchRoutes({ history, logger, now: () => NOW, slots: options.slots, slicer: options.slicer });
  const app = express();
  app.use('/api', createApiRouter({ access, allowedOrigins: [], maxBodyBytes: 1024, logger, mounts: [mount] }));
  const listening = app.listen(0, '127.0.0.1');
  server = listening;
  await new Promise((resolve) => listening.once('listening', resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}/api`;
}

function sample(): MemoryHistory {
  const history = new MemoryHistory();
  const web = history.source('web-1', '/var/log/app.log');
  const db = history.source('db-1', '/var/log/pg.log');
  history.append(web, NOW - 3_000, ['GET / 200', 'GET /x 500 error']);
  history.append(db, NOW - 2_000, ['error: deadlock']);
  history.append(web, NOW - 1_000, ['error again']);
  return history;
}

function records(text: string): SearchRecord[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => searchRecordSchema.parse(JSON.parse(line)));
}

describe('GET /api/search', () => {
  it('streams NDJSON records: matches newest first, progress, then done', async () => {
    const base = await serve(sample());
    const answer = await api(base, 'GET', '/search?q=error&hosts=web-*&hosts=db-1&from=1m');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const got = records(answer.text);
    expect(got.filter((record) => record.type === 'match').map((record) => record.line.line)).toEqual(['error again', 'error: deadlock', 'GET /x 500 error']);
    expect(got[0]).toEqual({ type: 'progress', scannedBytes: 0, totalBytes: Buffer.byteLength('GET / 200\nGET /x 500 error\nerror: deadlock\nerror again\n') });
    expect(got.at(-1)).toEqual({ type: 'done', count: 3, partial: false });
  });

  it('pages with the cursor of the done record', async () => {
    const base = await serve(sample());
    const first = records((await api(base, 'GET', '/search?q=error&limit=2&order=asc')).text);
    const done = first.at(-1)!;
    expect(done).toMatchObject({ type: 'done', count: 2, cursor: expect.any(String) as unknown });
    const cursor = (done as { cursor: string }).cursor;
    const second = records((await api(base, 'GET', `/search?q=error&limit=2&order=asc&cursor=${cursor}`)).text);
    expect(second.filter((record) => record.type === 'match').map((record) => record.line.line)).toEqual(['error again']);
    expect(second.at(-1)).toEqual({ type: 'done', count: 1, partial: false });
  });

  it('answers 404 SG_ERR_NOT_FOUND on a hub without history', async () => {
    const base = await serve(undefined);
    for (const path of ['/search?q=x', '/search/histogram?q=x']) {
      const answer = await api(base, 'GET', path);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: { code: 'SG_ERR_NOT_FOUND', message: 'history is off on this hub' } });
    }
  });

  it('refuses a bad pattern and a bad parameter before streaming, as JSON errors', async () => {
    const base = await serve(sample());
    const regex = await api<{ error: { code: string } }>(base, 'GET', '/search?q=(%3F%3Dx)');
    expect(regex.status).toBe(400);
    expect(regex.body.error.code).toBe('SG_ERR_BAD_REGEX');
    const from = await api<{ error: { code: string; message: string } }>(base, 'GET', '/search?q=x&from=soon');
    expect(from.status).toBe(400);
    expect(from.body.error).toMatchObject({ code: 'SG_ERR_BAD_REQUEST', message: expect.stringMatching(/^from: / ) as unknown });
  });

  it('needs a viewer token when the hub has tokens', async () => {
    const base = await serve(sample(), { tokens: true });
    expect((await api(base, 'GET', '/search?q=x')).status).toBe(401);
    expect((await api(base, 'GET', '/search?q=x', { token: 'viewer-secret' })).status).toBe(200);
  });

  it('answers 429 SG_ERR_LIMIT past the searches a hub or a viewer may run at once', async () => {
    const slots = new SearchSlots(2, 1);
    const base = await serve(sample(), { slots, tokens: true });
    const held = slots.acquire('name alice');
    const mine = await api<{ error: { code: string; message: string } }>(base, 'GET', '/search?q=x', { token: 'viewer-secret' });
    expect(mine.status).toBe(429);
    expect(mine.body.error).toMatchObject({ code: 'SG_ERR_LIMIT', message: expect.stringMatching(/one viewer/) as unknown });
    const other = slots.acquire('name bob');
    const hub = await api<{ error: { code: string; message: string } }>(base, 'GET', '/search/histogram?q=x', { token: 'viewer-secret' });
    expect(hub.status).toBe(429);
    if ('release' in held) held.release();
    if ('release' in other) other.release();
    expect((await api(base, 'GET', '/search?q=x', { token: 'viewer-secret' })).status).toBe(200);
    // Finished searches gave their slots back.
    expect('release' in slots.acquire('name alice')).toBe(true);
  });

  it('stops scanning and frees its slot when the client goes away', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (let i = 0; i < 2_000; i += 1) {
      history.append(web, i, [`line ${i}`]);
      history.seal(web);
    }
    const slots = new SearchSlots(1, 1);
    const base = await serve(history, { slots, slicer: new TimeSlicer(0) });
    const controller = new AbortController();
    // Nothing matches: the scan writes nothing after its first progress record, so only the abort can stop it.
    const response = await fetch(`${base}/search?q=nomatch`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor('the search to give its slot back', () => {
      const slot = slots.acquire('someone');
      if ('release' in slot) slot.release();
      return 'release' in slot;
    });
    const reads = history.reads;
    expect(reads).toBeLessThan(2_000);
    // Nothing reads on after the slot was freed.
    await new Promise((resolve) => setImmediate(resolve));
    expect(history.reads).toBe(reads);
  });
});

describe('GET /api/search/histogram', () => {
  it('answers the counts per bucket', async () => {
    const base = await serve(sample());
    const answer = await api(base, 'GET', `/search/histogram?q=error&from=${NOW - 3_000}&to=${NOW}&step=1s`);
    expect(answer.status).toBe(200);
    expect(histogramSchema.parse(answer.body)).toEqual({
      from: NOW - 3_000,
      to: NOW,
      step: 1_000,
      buckets: [
        { ts: NOW - 3_000, count: 1 },
        { ts: NOW - 2_000, count: 1 },
        { ts: NOW - 1_000, count: 1 },
        { ts: NOW, count: 0 },
      ],
      partial: false,
    });
  });
});
