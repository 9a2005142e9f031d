import { fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSync, type SyncFunction } from '../../../../server/history/file-sync.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

let temp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

/** An fdatasync held until the test answers it, so a sync can be "in flight" as long as a test needs. */
function heldSync() {
  const calls: ((error: NodeJS.ErrnoException | null) => void)[] = [];
  const syncFd: SyncFunction = (_fd, callback) => calls.push(callback);
  return { syncFd, calls, answer: (error: NodeJS.ErrnoException | null = null) => calls.shift()!(error) };
}

/** Lets every callback and promise that is already due run (no I/O is outstanding in these tests). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const isOpen = (fd: number) => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

function openFile(syncFd: SyncFunction): FileSync {
  return new FileSync(openSync(join(temp.dir, 'f'), 'w'), syncFd);
}

describe('FileSync', () => {
  it('keeps one sync in flight: another sync() skips, and nothing is synced when nothing was written', async () => {
    const held = heldSync();
    const file = openFile(held.syncFd);
    expect(file.sync()).toBeUndefined(); // clean
    file.wrote();
    const first = file.sync();
    expect(first).toBeDefined();
    file.wrote();
    expect(file.sync()).toBeUndefined(); // one in flight: left to the next call
    expect(held.calls).toHaveLength(1);
    held.answer();
    await first;
    expect(file.dirty).toBe(true); // the second write came after the sync started
    const second = file.sync();
    held.answer();
    await second;
    expect(file.dirty).toBe(false);
    await file.close();
  });

  it('flush waits for a sync in flight, then syncs again for writes it did not cover', async () => {
    const held = heldSync();
    const file = openFile(held.syncFd);
    file.wrote();
    void file.sync();
    file.wrote();
    let flushed = false;
    const flush = file.flush().then(() => (flushed = true));
    await settle();
    expect(held.calls).toHaveLength(1); // no second sync beside the first
    held.answer();
    await settle();
    expect(flushed).toBe(false);
    expect(held.calls).toHaveLength(1); // its own sync, for the later write
    held.answer();
    await flush;
    expect(file.dirty).toBe(false);
    await file.close();
  });

  it('never closes the fd under a sync in flight, and starts none after close', async () => {
    const held = heldSync();
    const file = openFile(held.syncFd);
    file.wrote();
    const sync = file.sync();
    const closed = file.close();
    await settle();
    expect(isOpen(file.fd)).toBe(true);
    file.wrote();
    expect(file.sync()).toBeUndefined();
    const flush = file.flush();
    held.answer();
    await sync;
    await expect(flush).rejects.toThrow(/closed before it was synced/);
    await closed;
    expect(isOpen(file.fd)).toBe(false);
    expect(held.calls).toHaveLength(0);
  });

  it('a failed sync rejects and leaves the writes dirty', async () => {
    const held = heldSync();
    const file = openFile(held.syncFd);
    file.wrote();
    const sync = file.sync();
    held.answer(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(sync).rejects.toThrow(/EIO/);
    expect(file.dirty).toBe(true);
    await file.close();
  });

  it('syncNow syncs on the calling thread, beside a sync in flight', async () => {
    const held = heldSync();
    const file = openFile(held.syncFd);
    file.wrote();
    const sync = file.sync();
    file.wrote();
    file.syncNow(); // the real fdatasync
    expect(file.dirty).toBe(false);
    held.answer();
    await sync;
    expect(file.dirty).toBe(false);
    await file.close();
  });
});
