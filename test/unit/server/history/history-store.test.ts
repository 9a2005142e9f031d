import { readdirSync, readlinkSync, symlinkSync, truncateSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncFunction } from '../../../../server/history/file-sync.js';
import { HistoryStore, type HistoryStoreOptions } from '../../../../server/history/history-store.js';
import { CorruptBlockError } from '../../../../server/history/history-reader.js';
import { openDatabase, type Db } from '../../../../server/storage/database.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

let temp: { dir: string; cleanup: () => Promise<void> };
const dbs: Db[] = [];
let stores: HistoryStore[] = [];
let clock = 1_000_000;

beforeEach(async () => {
  temp = await makeTempDir();
  clock = 1_000_000;
});
afterEach(async () => {
  for (const store of stores.splice(0)) store.close();
  for (const db of dbs.splice(0)) db.close();
  await temp.cleanup();
});

/** A store as the hub opens one; `fresh` reopens the database too, as a restarted process would. */
function open(options: Partial<HistoryStoreOptions> = {}): HistoryStore {
  const db = openDatabase(temp.dir);
  dbs.push(db);
  const store = new HistoryStore({ dir: join(temp.dir, 'history'), db, maxBytes: 1 << 30, maxAgeMs: 7 * 86_400_000, timer: false, now: () => clock, ...options });
  stores.push(store);
  return store;
}

/** Drops a store without closing it: what kill -9 leaves behind (the WAL is written, nothing sealed). */
function kill(store: HistoryStore): void {
  stores = stores.filter((other) => other !== store);
}

function lines(prefix: string, count: number): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => `${prefix} line ${i}\n`).join(''));
}

/** Appends `count` batches to (host, file) the way the pipeline does: positions from the store. */
function write(store: HistoryStore, host: string, file: string, count: number, linesPerBatch = 3): Buffer[] {
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const { num, pos } = store.sourceFor(host, file);
    const body = lines(`${host}${file} batch ${i}`, linesPerBatch);
    store.append({ num, host, file, idPrefix: `${store.hubId}-${num}-` }, { body, firstPos: pos, ts: clock, truncated: undefined });
    bodies.push(body);
    clock += 10;
  }
  return bodies;
}

function allText(store: HistoryStore, num?: number): string {
  return store
    .blocks({})
    .filter((block) => num === undefined || block.source.num === num)
    .sort((a, b) => a.source.num - b.source.num || a.firstPos - b.firstPos)
    .flatMap((block) => store.read(block).map((batch) => batch.body.toString()))
    .join('');
}

const files = (name: RegExp) => readdirSync(join(temp.dir, 'history')).filter((file) => name.test(file));

/** Lets every callback and promise already due run (held syncs stand in for the only I/O that waits). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const fdTarget = (fd: number) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined; // closed
  }
};

/** A store's fdatasync held until the test answers it: a sync "in flight" for as long as a test needs. */
function heldSyncs() {
  const calls: { fd: number; path: string; answer: (error: NodeJS.ErrnoException | null) => void }[] = [];
  const syncFd: SyncFunction = (fd, answer) => calls.push({ fd, path: fdTarget(fd)!, answer });
  const of = (name: RegExp) => calls.filter((call) => name.test(call.path));
  /** Answers the held syncs of files matching `name`, and those they lead to, until none is left. */
  const answer = async (name: RegExp, error: NodeJS.ErrnoException | null = null) => {
    for (let round = 0; round < 100 && of(name).length > 0; round += 1) {
      for (const call of of(name)) {
        calls.splice(calls.indexOf(call), 1);
        call.answer(error);
      }
      await settle();
    }
  };
  return { syncFd, of, answer };
}

const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });

describe('HistoryStore', () => {
  it('seals blocks at the size bound, indexes them and reads back every batch as it arrived', () => {
    const store = open({ blockBytes: 300 });
    const bodies = write(store, 'web-1', '/a.log', 20);
    const blocks = store.blocks({});
    expect(blocks.length).toBeGreaterThan(3);
    expect(blocks.length - store.stats().blocks).toBeLessThanOrEqual(1); // all sealed but an open one
    const batches = blocks.sort((a, b) => a.firstPos - b.firstPos).flatMap((block) => store.read(block));
    expect(batches.map((batch) => batch.body)).toEqual(bodies);
    expect(batches.map((batch) => batch.firstPos)).toEqual(bodies.map((_, i) => bodies.slice(0, i).reduce((sum, body) => sum + body.length, 0)));
  });

  it('seals the largest open block early when all open blocks together pass their bound', () => {
    const store = open({ openTotalBytes: 150 });
    const big = write(store, 'h', '/big', 2);
    expect(big[0]!.length + big[1]!.length).toBeLessThan(150);
    expect(store.stats().blocks).toBe(0);
    write(store, 'h', '/small', 1); // together past 150 bytes: /big, the largest, is sealed
    expect(store.stats().blocks).toBe(1);
    expect(store.blocks({}).map((block) => block.source.file).sort()).toEqual(['/big', '/small']);
    expect(store.stats().oldestTime).toBe(1_000_000);
  });

  it('finds blocks by time, with event time when given', () => {
    const store = open({ blockBytes: 1, eventTimeOf: (body, start) => (body.toString('utf8', start, start + 5) === 'late ' ? 5 : undefined) });
    write(store, 'h', '/f', 3);
    const { num, pos } = store.sourceFor('h', '/f');
    store.append({ num, host: 'h', file: '/f', idPrefix: `${store.hubId}-${num}-` }, { body: Buffer.from('late one\n'), firstPos: pos, ts: clock, truncated: undefined });
    expect(store.blocks({ from: 1_000_010, to: 1_000_010 }).map((block) => block.minTime)).toEqual([1_000_010]);
    expect(store.blocks({ to: 100 }).map((block) => [block.minTime, block.maxTime])).toEqual([[5, 5]]);
    expect(store.blocks({ from: 1_000_000 })).toHaveLength(3);
  });

  it('after a kill, replays the WAL: same hub id, numbers and positions, no line lost or doubled', () => {
    const first = open({ blockBytes: 400 });
    const before = write(first, 'web-1', '/a.log', 10);
    write(first, 'web-2', '/b.log', 2);
    const { hubId } = first;
    const a = first.sourceFor('web-1', '/a.log');
    expect(files(/^wal-/).length).toBeGreaterThan(0);
    kill(first);

    const second = open({ blockBytes: 400 });
    expect(second.hubId).toBe(hubId);
    expect(second.sourceFor('web-1', '/a.log')).toEqual(a);
    expect(allText(second, a.num)).toBe(before.map(String).join(''));
    expect(second.stats().blocks).toBe(second.blocks({}).length); // all sealed on open
    expect(files(/^wal-/)).toEqual([]); // and the WAL is gone
  });

  it('drops a torn last WAL record', () => {
    const first = open();
    const bodies = write(first, 'h', '/f', 3);
    kill(first);
    const [wal] = files(/^wal-/);
    const path = join(temp.dir, 'history', wal!);
    truncateSync(path, statSync(path).size - 3);
    const second = open();
    expect(allText(second)).toBe(bodies.slice(0, 2).map(String).join(''));
    expect(second.sourceFor('h', '/f').pos).toBe(bodies[0]!.length + bodies[1]!.length);
  });

  it('deletes a WAL file once everything in it is sealed, and seals blocks past their age', async () => {
    const store = open({ walBytes: 300, blockAgeMs: 1_000 });
    write(store, 'h', '/f', 5);
    expect(files(/^wal-/).length).toBeGreaterThan(1);
    clock += 1_000;
    await store.tick();
    expect(files(/^wal-/).length).toBeLessThanOrEqual(1);
    expect(store.stats().blocks).toBe(1);
  });

  it('after a kill, replays every full WAL file still needed, none of them forced to disk yet', () => {
    const first = open({ walBytes: 300 });
    const before = write(first, 'h', '/f', 12);
    expect(files(/^wal-/).length).toBeGreaterThan(2);
    kill(first);
    const second = open();
    expect(allText(second)).toBe(before.map(String).join(''));
  });

  it('keeps no full WAL file open past the next tick, nor one it deleted', async () => {
    const historyDir = join(temp.dir, 'history');
    const openWals = () =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(join('/proc/self/fd', fd));
          return target.startsWith(historyDir) && /wal-/.test(target) ? [target] : [];
        } catch {
          return []; // closed since it was listed
        }
      });
    const store = open({ walBytes: 300, blockBytes: 400 });
    write(store, 'h', '/f', 12);
    await store.synced();
    // Deleted ones were closed as they were deleted; those still needed stay open until the tick.
    expect(openWals().filter((target) => target.endsWith('(deleted)'))).toEqual([]);
    await store.tick();
    expect(openWals().length).toBeLessThanOrEqual(1);
    store.close();
    await store.synced();
    expect(openWals()).toEqual([]);
  });

  it.each([
    ['the open segment', undefined],
    ['segments closed when full', 1],
  ])('deletes a WAL file only once the segment holding its blocks is synced: %s', async (_, segmentBytes) => {
    const syncs = heldSyncs();
    const store = open({ walBytes: 300, blockBytes: 400, segmentBytes, syncFd: syncs.syncFd });
    write(store, 'h', '/f', 12);
    const tick = store.tick();
    await settle();
    const before = files(/^wal-/);
    expect(before.length).toBeGreaterThan(2);
    expect(syncs.of(/seg-/).length).toBeGreaterThan(0);
    await syncs.answer(/wal-/);
    expect(files(/^wal-/)).toEqual(before); // the WAL files' own syncs do not let them go
    await syncs.answer(/seg-/);
    await tick;
    const again = store.tick();
    await syncs.answer(/./);
    await again;
    expect(files(/^wal-/).length).toBeLessThan(before.length);
    expect(syncs.of(/./)).toEqual([]);
  });

  it('keeps WAL files whose segment fails to sync, and reports the failure', async () => {
    let errors = 0;
    const syncs = heldSyncs();
    const store = open({ walBytes: 300, blockBytes: 400, syncFd: syncs.syncFd, observer: { dropped: () => {}, writeError: () => (errors += 1), corruptBlock: () => {} } });
    write(store, 'h', '/f', 12);
    const tick = store.tick();
    await settle();
    const before = files(/^wal-/);
    await syncs.answer(/wal-/);
    await syncs.answer(/seg-/, eio());
    await tick;
    expect(errors).toBeGreaterThan(0);
    expect(store.failing?.error).toMatch(/cannot sync history before deleting WAL files: EIO/);
    expect(files(/^wal-/)).toEqual(before);
  });

  it('syncs a WAL file once at a time: a tick during its sync skips it', async () => {
    const syncs = heldSyncs();
    const store = open({ syncFd: syncs.syncFd });
    write(store, 'h', '/f', 1);
    void store.tick();
    write(store, 'h', '/f', 1);
    void store.tick();
    expect(syncs.of(/wal-/)).toHaveLength(1);
    await syncs.answer(/wal-/);
    const tick = store.tick(); // the second write, left to this tick
    expect(syncs.of(/wal-/)).toHaveLength(1);
    await syncs.answer(/wal-/);
    await tick;
  });

  it('never closes a WAL file under its sync in flight, also when the store closes', async () => {
    const syncs = heldSyncs();
    const store = open({ syncFd: syncs.syncFd });
    const bodies = write(store, 'h', '/f', 2);
    void store.tick();
    const [call] = syncs.of(/wal-/);
    store.close(); // seals, syncs the segment and deletes the WAL file: but its fd is still synced
    await settle();
    expect(files(/^wal-/)).toEqual([]);
    expect(fdTarget(call!.fd)).toBe(`${call!.path} (deleted)`);
    await syncs.answer(/wal-/);
    await store.synced();
    expect(fdTarget(call!.fd)).not.toBe(`${call!.path} (deleted)`);
    expect(allText(open())).toBe(bodies.map(String).join(''));
  });

  it('a failed WAL sync is counted and reported, and the next batches go to a new WAL file', async () => {
    let errors = 0;
    const syncs = heldSyncs();
    const store = open({ syncFd: syncs.syncFd, observer: { dropped: () => {}, writeError: () => (errors += 1), corruptBlock: () => {} } });
    write(store, 'h', '/f', 1);
    const tick = store.tick();
    await syncs.answer(/wal-/, eio());
    await tick;
    expect(errors).toBe(1);
    expect(store.failing?.error).toMatch(/cannot sync the history WAL: EIO/);
    expect(files(/^wal-/)).toHaveLength(1);
    clock += 2_000;
    write(store, 'h', '/f', 1);
    expect(store.failing).toBeUndefined();
    expect(files(/^wal-/)).toHaveLength(2);
  });

  it('retention by bytes drops the oldest segments first', () => {
    const dropped: number[] = [];
    const store = open({ blockBytes: 1, maxBytes: 4_000, observer: { dropped: (blocks) => dropped.push(blocks), writeError: () => {}, corruptBlock: () => {} } });
    const bodies = write(store, 'h', '/f', 60);
    expect(store.stats().bytes).toBeLessThanOrEqual(4_000);
    expect(dropped.length).toBeGreaterThan(0);
    const kept = allText(store);
    const all = bodies.map(String).join('');
    expect(all.endsWith(kept)).toBe(true); // what is left is the newest, without a gap
    expect(kept.length).toBeLessThan(all.length);
    expect(files(/^seg-/).length).toBeLessThan(60);
  });

  it('retention by age drops segments whose newest block is too old', async () => {
    const store = open({ blockBytes: 1, maxAgeMs: 60_000, segmentBytes: 1 });
    write(store, 'h', '/old', 5);
    clock += 61_000;
    write(store, 'h', '/new', 1);
    await store.tick();
    expect(store.blocks({}).map((block) => block.source.file)).toEqual(['/new']);
    expect(store.stats().oldestTime).toBe(clock - 10);
  });

  it('a damaged block is a CorruptBlockError, counted, and the others still read', () => {
    let corrupt = 0;
    const store = open({ blockBytes: 1, observer: { dropped: () => {}, writeError: () => {}, corruptBlock: () => (corrupt += 1) } });
    write(store, 'h', '/f', 3);
    const [segment] = files(/^seg-/);
    const fd = openSync(join(temp.dir, 'history', segment!), 'r+');
    writeSync(fd, Buffer.from('XX'), 0, 2, 70);
    closeSync(fd);
    const results = store.blocks({}).map((block) => {
      try {
        return store.read(block).length;
      } catch (error) {
        return error instanceof CorruptBlockError ? 'corrupt' : error;
      }
    });
    expect(results.sort()).toEqual([1, 1, 'corrupt']);
    expect(corrupt).toBe(1);
  });

  it('on a full disk, skips history, reports the failure, and recovers by itself', () => {
    let errors = 0;
    // walBytes 1: every append closes its WAL file, so the next one opens the next number.
    const store = open({ walBytes: 1, observer: { dropped: () => {}, writeError: () => (errors += 1), corruptBlock: () => {} } });
    const first = write(store, 'h', '/f', 1);
    const seq = Math.max(...files(/^wal-/).map((name) => Number(/\d+/.exec(name)![0])));
    // The next WAL file is /dev/full: every write to it fails with ENOSPC.
    symlinkSync('/dev/full', join(temp.dir, 'history', `wal-${String(seq + 1).padStart(10, '0')}.log`));
    write(store, 'h', '/f', 1);
    expect(errors).toBe(1);
    expect(store.failing?.error).toMatch(/ENOSPC|no space/i);
    write(store, 'h', '/f', 1); // within the retry interval: skipped without trying
    expect(errors).toBe(1);
    clock += 2_000;
    const after = write(store, 'h', '/f', 1);
    expect(store.failing).toBeUndefined();
    expect(allText(store)).toBe(String(first[0]) + String(after[0]));
  });
});
