import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PinCounter, type PinCountStore } from '../../../../server/pins/pin-counter.js';
import { openDatabase, type Db } from '../../../../server/storage/database.js';
import { PinStore } from '../../../../server/storage/pin-store.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const HOUR_MS = 60 * 60_000;
/** A bucket boundary, so the arithmetic below reads plainly. */
const T0 = 1_764_190_000_000;

describe('PinCounter', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: Db;
  let store: PinStore;
  let clock: number;
  const now = () => clock;

  function counter(overrides: Partial<ConstructorParameters<typeof PinCounter>[0]> = {}): PinCounter {
    return new PinCounter({ store, now, retentionMs: 24 * HOUR_MS, maxUnflushedBuckets: 1000, ...overrides });
  }

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-pin-counter-'));
    db = openDatabase(dir);
    store = new PinStore(db);
    clock = T0;
  });

  afterEach(async () => {
    db.close();
    await cleanup();
  });

  it('counts matches in the 10 s bucket of the clock at the moment they arrive', () => {
    const c = counter();
    c.add('p1', 3);
    clock = T0 + 9_999;
    c.add('p1', 2);
    clock = T0 + 10_000;
    c.add('p1', 7);
    c.add('p2', 1);
    clock = T0 + 25_000;
    expect(c.rate('p1', T0)).toEqual([
      { ts: T0, count: 5 },
      { ts: T0 + 10_000, count: 7 },
      { ts: T0 + 20_000, count: 0 },
    ]);
    expect(c.rate('p2', T0)).toEqual([
      { ts: T0, count: 0 },
      { ts: T0 + 10_000, count: 1 },
      { ts: T0 + 20_000, count: 0 },
    ]);
  });

  it('zero-fills the whole window, from the bucket holding `since` to the current one', () => {
    const c = counter();
    clock = T0 + 30_000;
    c.add('p1', 4);
    clock = T0 + 65_432;
    const buckets = c.rate('p1', T0 + 1_234);
    expect(buckets.map((b) => b.ts)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => T0 + i * 10_000));
    expect(buckets.map((b) => b.count)).toEqual([0, 0, 0, 4, 0, 0, 0]);
    // A window of an hour is 361 buckets: the partial one at each end included.
    expect(c.rate('p1', clock - HOUR_MS)).toHaveLength(361);
  });

  it('merges counts already in the database with those not flushed yet, and survives a reopen', () => {
    const c = counter();
    c.add('p1', 5);
    expect(c.flush()).toBe(1);
    expect(store.counts('p1', 0)).toEqual([{ ts: T0, count: 5 }]);
    c.add('p1', 2);
    expect(c.rate('p1', T0)).toEqual([{ ts: T0, count: 7 }]);
    expect(c.flush()).toBe(1);
    expect(c.flush()).toBe(0);

    db.close();
    db = openDatabase(dir);
    store = new PinStore(db);
    const reloaded = counter();
    reloaded.add('p1', 1);
    expect(reloaded.rate('p1', T0)).toEqual([{ ts: T0, count: 8 }]);
  });

  it('prunes buckets older than the retention from memory and from the database', () => {
    const c = counter({ retentionMs: HOUR_MS });
    c.add('p1', 1);
    c.flush();
    clock = T0 + 10_000;
    c.add('p1', 2); // stays unflushed
    clock = T0 + HOUR_MS + 10_000;
    c.add('p1', 3);
    c.prune();
    expect(store.counts('p1', 0)).toEqual([]);
    // The bucket exactly one retention old is kept; the one before it is gone.
    expect(c.rate('p1', T0).filter((b) => b.count > 0)).toEqual([
      { ts: T0 + 10_000, count: 2 },
      { ts: T0 + HOUR_MS + 10_000, count: 3 },
    ]);
    clock = T0 + HOUR_MS + 20_000;
    c.prune();
    expect(c.pendingBuckets).toBe(1);
  });

  it('keeps counts in memory when the disk is full and writes them once there is room', () => {
    const c = counter({ maxUnflushedBuckets: 10_000 });
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pageCount}`);
    for (let pin = 0; pin < 2000; pin += 1) c.add(`pin-${pin}`, pin + 1);
    let error: Error | undefined;
    try {
      c.flush();
    } catch (err) {
      error = err as Error;
    }
    expect((error?.cause as { code?: string } | undefined)?.code).toBe('SQLITE_FULL');
    expect(c.pendingBuckets).toBe(2000);
    expect(c.rate('pin-1999', T0)).toEqual([{ ts: T0, count: 2000 }]);

    db.pragma('max_page_count = 1000000');
    expect(c.flush()).toBe(2000);
    expect(store.counts('pin-1999', 0)).toEqual([{ ts: T0, count: 2000 }]);
  });

  it('gives up the oldest bucket when too many wait, and says how many matches it lost', () => {
    const failing: PinCountStore = {
      addCounts: () => {
        throw new Error('disk full');
      },
      counts: () => [],
      pruneBefore: () => undefined,
    };
    const lost: number[] = [];
    const c = new PinCounter({ store: failing, now, retentionMs: HOUR_MS, maxUnflushedBuckets: 3, onDropped: (n) => lost.push(n) });
    c.add('a', 1);
    c.add('b', 2);
    clock = T0 + 10_000;
    c.add('a', 4);
    expect(() => c.flush()).toThrow(/write 3 pin counts/);
    clock = T0 + 20_000;
    c.add('a', 8);
    expect(lost).toEqual([3]);
    expect(c.droppedMatches).toBe(3);
    expect(c.pendingBuckets).toBe(2);
    expect(c.rate('a', T0).map((b) => b.count)).toEqual([0, 4, 8]);
  });

  it('forgets a deleted pin so that a later flush does not store its counts', () => {
    const c = counter();
    c.add('gone', 5);
    c.add('kept', 1);
    c.forget('gone');
    expect(c.pendingBuckets).toBe(1);
    c.flush();
    expect(store.counts('gone', 0)).toEqual([]);
    expect(store.counts('kept', 0)).toEqual([{ ts: T0, count: 1 }]);
  });
});
