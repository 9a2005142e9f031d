import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployEvent, PinEvent, VerdictsEvent } from '../../../../protocol/index.js';
import { Authenticator } from '../../../../server/access/authenticator.js';
import { createApiRouter } from '../../../../server/api/api-router.js';
import { resolveHubConfig } from '../../../../server/config.js';
import { FilterEngine } from '../../../../server/filter/filter-engine.js';
import { startHubFeatures, type HubFeatures } from '../../../../server/hub-features.js';
import { MatchRouter } from '../../../../server/filter/match-router.js';
import { HubMetrics } from '../../../../server/metrics.js';
import { openDatabase, type Db } from '../../../../server/storage/database.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/**
 * The API over a database whose size is capped with max_page_count: SQLite then fails writes with
 * SQLITE_FULL exactly as on a full disk.
 */
describe('API on a full disk', () => {
  let cleanup: () => Promise<void>;
  let db: Db;
  let features: HubFeatures;
  let server: Server;
  let base: string;
  const events: Array<PinEvent | DeployEvent | VerdictsEvent> = [];
  const logs: Array<Record<string, unknown>> = [];

  beforeEach(async () => {
    let dir: string;
    ({ dir, cleanup } = await makeTempDir('sg-disk-full-'));
    db = openDatabase(dir);
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const config = resolveHubConfig({ dataDir: dir });
    features = startHubFeatures({
      config,
      logger,
      db,
      router: new MatchRouter(new FilterEngine()),
      metrics: new HubMetrics(),
      broadcast: (message) => events.push(message),
      now: Date.now,
    });
    const app = express();
    app.use('/api', createApiRouter({ access: new Authenticator(config, logger), allowedOrigins: [], maxBodyBytes: 1024 * 1024, logger, mounts: features.apiMounts }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await features.close();
    await cleanup();
    events.length = 0;
    logs.length = 0;
  });

  function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  it('answers 507 SG_ERR_STORAGE, logs it, announces nothing, and works again once there is room', async () => {
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const line = { host: 'web-1', file: '/var/log/app.log', ts: 1, line: 'x'.repeat(60_000) };

    const capture = await post('/captures', { title: 'big', lines: [line, line] });
    expect(capture.status).toBe(507);
    expect(await capture.json()).toEqual({
      error: { code: 'SG_ERR_STORAGE', message: 'the hub could not save this: its disk (or database) is full' },
    });
    const logged = logs.find((record) => record.msg === 'database error in an API request');
    expect(logged).toMatchObject({ level: 50, sqlite: 'SQLITE_FULL', method: 'POST', path: '/api/captures' });

    // Fill the last free pages of each table so that even a small row no longer fits.
    let pinsCreated = 0;
    let refusedPin: Response | undefined;
    for (let i = 0; i < 100 && !refusedPin; i += 1) {
      const pin = await post('/pins', { name: `fill ${i}`, query: `${'q'.repeat(1000)}${i}` });
      if (pin.status === 507) refusedPin = pin;
      else pinsCreated += 1;
    }
    expect(await refusedPin?.json()).toMatchObject({ error: { code: 'SG_ERR_STORAGE' } });
    let refusedDeploy: Response | undefined;
    for (let i = 0; i < 100 && !refusedDeploy; i += 1) {
      const deploy = await post('/deploys', { label: `fill ${i} ${'y'.repeat(190)}` });
      if (deploy.status === 507) refusedDeploy = deploy;
    }
    expect(refusedDeploy?.status).toBe(507);
    // A refused pin is not half-created: not listed, not announced; a refused deploy not announced.
    const pins = (await (await fetch(`${base}/pins`)).json()) as unknown[];
    expect(pins).toHaveLength(pinsCreated);
    expect(events.filter((event) => event.type === 'pin')).toHaveLength(pinsCreated);
    const deploys = (await (await fetch(`${base}/deploys`)).json()) as unknown[];
    expect(events.filter((event) => event.type === 'deploy')).toHaveLength(deploys.length);

    db.pragma('max_page_count = 1000000');
    expect((await post('/pins', { name: 'p', query: 'x' })).status).toBe(201);
    expect((await post('/captures', { title: 'big', lines: [line, line] })).status).toBe(201);
  });
});
