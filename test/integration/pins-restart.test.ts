import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Capture, CaptureCreated, Deploy, Pin, PinRate } from '../../protocol/index.js';
import { api, metricValue } from '../helpers/http-api.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestHub, TestAgent, type TestHub } from '../helpers/hub-harness.js';

/** A 10 s bucket boundary. */
const T0 = 1_764_190_000_000;

describe('hub restart on the same data directory', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let clock: number;
  const running = new Set<TestHub>();

  beforeEach(async () => {
    ({ dir: dataDir, cleanup } = await makeTempDir('sg-restart-'));
    clock = T0 + 2_000;
  });

  afterEach(async () => {
    await Promise.all([...running].map((h) => h.close()));
    running.clear();
    await cleanup();
  });

  async function start(): Promise<TestHub> {
    // No periodic flush: what survives was written by close().
    const h = await startTestHub({ dataDir, pinFlushIntervalMs: 3_600_000 }, { now: () => clock });
    running.add(h);
    return h;
  }

  async function stop(h: TestHub): Promise<void> {
    running.delete(h);
    await h.close();
  }

  it('keeps pins, their counts, deploys and captures', async () => {
    const first = await start();
    // Without its passing `backfilling` state (history is on), as it is stored.
    const { backfilling: _backfilling, ...pin } = (await api<Pin>(first.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR', caseInsensitive: true } })).body;
    const deploy = (await api<Deploy>(first.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.3', by: 'ci', url: 'https://ci.example/42' } })).body;
    const saved = (
      await api<CaptureCreated>(first.url, 'POST', '/api/captures', {
        json: { title: 'outage', filter: { query: 'ERROR' }, lines: [{ host: 'web-1', file: '/var/log/app.log', ts: T0, line: 'ERROR boom' }] },
      })
    ).body;
    const capture = (await api<Capture>(first.url, 'GET', `/api/captures/${saved.id}`)).body;
    const markdown = (await api(first.url, 'GET', `/api/captures/${saved.id}.md`)).text;

    const { agent } = await TestAgent.connect(first, 'web-1');
    await agent.send('/var/log/app.log', ['error 1', 'ERROR 2', 'fine', 'Error 3']);
    clock = T0 + 12_000;
    await agent.send('/var/log/app.log', ['ERROR 4', 'ERROR 5']);
    const rateBefore = (await api<PinRate>(first.url, 'GET', `/api/pins/${pin.id}/rate?since=${T0}`)).body;
    expect(rateBefore.buckets).toEqual([
      { ts: T0, count: 3 },
      { ts: T0 + 10_000, count: 2 },
    ]);
    agent.close();
    await stop(first);

    const second = await start();
    expect((await api(second.url, 'GET', '/api/pins')).body).toEqual([pin]);
    expect((await api(second.url, 'GET', `/api/pins/${pin.id}/rate?since=${T0}`)).body).toEqual(rateBefore);
    expect((await api(second.url, 'GET', '/api/deploys')).body).toEqual([deploy]);
    expect((await api(second.url, 'GET', `/api/captures/${saved.id}`)).body).toEqual(capture);
    // The same Markdown, but for the links: they name the address the hub was asked on (another port now).
    expect((await api(second.url, 'GET', `/api/captures/${saved.id}.md`)).text.replaceAll(second.url, first.url)).toBe(markdown);

    // The restarted hub counts the stored pin again; counts of the same bucket add up.
    const metrics = (await api(second.url, 'GET', '/metrics')).text;
    expect(metricValue(metrics, 'supergrep_pin_matches_total{pin="errors"}')).toBe(0);
    const { agent: again } = await TestAgent.connect(second, 'web-2');
    await again.send('/var/log/app.log', ['ERROR 6']);
    expect((await api<PinRate>(second.url, 'GET', `/api/pins/${pin.id}/rate?since=${T0}`)).body.buckets).toEqual([
      { ts: T0, count: 3 },
      { ts: T0 + 10_000, count: 3 },
    ]);
    again.close();

    // A deleted pin stays deleted, counts and all.
    expect((await api(second.url, 'DELETE', `/api/pins/${pin.id}`)).status).toBe(204);
    await stop(second);
    const third = await start();
    expect((await api(third.url, 'GET', '/api/pins')).body).toEqual([]);
    expect((await api(third.url, 'GET', `/api/pins/${pin.id}/rate`)).status).toBe(404);
  });

  it('refuses to start on a data directory it cannot use, saying which', async () => {
    const blocked = join(dataDir, 'a-file');
    await writeFile(blocked, 'not a directory');
    await expect(startTestHub({ dataDir: join(blocked, 'data') })).rejects.toThrow(
      new RegExp(`^cannot open the hub database in ${blocked}/data: ENOTDIR`),
    );
  });
});
