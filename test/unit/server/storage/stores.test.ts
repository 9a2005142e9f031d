import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureStore } from '../../../../server/storage/capture-store.js';
import { openDatabase, type Db } from '../../../../server/storage/database.js';
import { DeployStore } from '../../../../server/storage/deploy-store.js';
import { PinStore } from '../../../../server/storage/pin-store.js';
import { buildCapture, buildDeploy, buildPin } from '../../../../server/storage/records.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

describe('storage', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: Db;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    db = openDatabase(dir);
  });

  afterEach(async () => {
    db.close();
    await cleanup();
  });

  function reopen(): Db {
    db.close();
    db = openDatabase(dir);
    return db;
  }

  it('keeps pins across a reopen and deletes them with their counts', () => {
    const pin = buildPin({ name: 'checkout errors', query: 'ERROR \\[checkout\\]', caseInsensitive: true, hosts: ['web-*'] }, 'alice', 1000);
    new PinStore(db).save(pin);
    new PinStore(db).addCounts([[pin.id, 0, 3], [pin.id, 0, 2], [pin.id, 10_000, 1]]);
    const store = new PinStore(reopen());
    expect(store.list()).toEqual([pin]);
    expect(store.get(pin.id)?.createdBy).toBe('alice');
    expect(store.counts(pin.id, 0)).toEqual([{ ts: 0, count: 5 }, { ts: 10_000, count: 1 }]);
    expect(store.delete(pin.id)?.id).toBe(pin.id);
    expect(store.list()).toEqual([]);
    expect(store.counts(pin.id, 0)).toEqual([]);
    expect(store.delete(pin.id)).toBeUndefined();
  });

  it('prunes old counts', () => {
    const store = new PinStore(db);
    const pin = buildPin({ name: 'p', query: 'x' }, undefined, 1000);
    store.save(pin);
    store.addCounts([[pin.id, 0, 1], [pin.id, 20_000, 1]]);
    store.pruneBefore(10_000);
    expect(store.counts(pin.id, 0)).toEqual([{ ts: 20_000, count: 1 }]);
  });

  it('keeps deploys in start order across a reopen', () => {
    const deploys = new DeployStore(db);
    const late = buildDeploy({ label: 'web 2', startedAt: 2000 }, 'ci', 5000);
    const early = buildDeploy({ label: 'web 1', by: 'bob', url: 'https://ci.example/1', startedAt: 1000, finishedAt: 1500 }, undefined, 5000);
    deploys.save(late);
    deploys.save(early);
    expect(new DeployStore(reopen()).list()).toEqual([early, late]);
    expect(new DeployStore(db).list(1500)).toEqual([late]);
  });

  it('keeps a deploy\u2019s verdict window, finds one by id and the one after a time', () => {
    const deploys = new DeployStore(db);
    const first = buildDeploy({ label: 'web 1', startedAt: 1000, windowMs: 1_800_000 }, undefined, 5000);
    const second = buildDeploy({ label: 'web 2', startedAt: 3000 }, undefined, 5000);
    deploys.save(second);
    deploys.save(first);
    const reopened = new DeployStore(reopen());
    expect(reopened.get(first.id)).toEqual({ ...first, windowMs: 1_800_000 });
    expect(reopened.get('none')).toBeUndefined();
    expect([reopened.nextAfter(999), reopened.nextAfter(1000), reopened.nextAfter(3000)]).toEqual([first, second, undefined]);
  });

  it('keeps captures with their lines and filter across a reopen', () => {
    const capture = buildCapture(
      { title: 'checkout outage', filter: { query: 'status=5\\d\\d' }, lines: [{ host: 'web-1', file: '/var/log/a.log', ts: 1, line: 'boom ✓' }] },
      'alice',
      1000,
    );
    new CaptureStore(db).save(capture);
    expect(new CaptureStore(reopen()).get(capture.id)).toEqual(capture);
    expect(new CaptureStore(db).get('nope')).toBeUndefined();
  });

  it('keeps the time range of a capture made from a search', () => {
    const capture = buildCapture(
      { title: 'from a search', filter: { query: 'boom' }, range: { from: 1_000, to: 2_000 }, lines: [{ host: 'web-1', file: '/a.log', ts: 1_500, line: 'boom' }] },
      undefined,
      3000,
    );
    new CaptureStore(db).save(capture);
    expect(new CaptureStore(reopen()).get(capture.id)).toEqual(capture);
  });
});
