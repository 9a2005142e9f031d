import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointStore } from '../../../../agent/state/checkpoint-store.js';
import { fileIdOf } from '../../../../agent/tailing/file-identity.js';
import { FileRegistry } from '../../../../agent/tailing/file-registry.js';
import { minReadBufferBytes } from '../../../../agent/tailing/file-tailer.js';
import type { Logger } from '../../../../lib/logger.js';
import { captureLogger, type LogRecord } from '../../../helpers/agent-harness.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { waitFor } from '../../../helpers/wait.js';

/** Longer than the test: whatever is found in time was not found by the poll. */
const NEVER_MS = 600_000;

describe('FileRegistry', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let registry: FileRegistry | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-registry-'));
  });

  afterEach(async () => {
    vi.useRealTimers();
    await registry?.close();
    registry = undefined;
    await cleanup();
  });

  it.runIf(process.platform === 'linux')('finds the file created at a path some time after the followed file was renamed away', async () => {
    const path = join(dir, 'app.log');
    await writeFile(path, 'old\n');
    const { logger, records } = captureLogger('info');
    const store = new CheckpointStore(join(dir, 'state.json'), logger);
    await store.load();
    // No discovery and no poll here: only the registry's own watch of the open file and what follows it.
    registry = new FileRegistry(
      store,
      { fromStart: false, maxLineBytes: 65_536, pollIntervalMs: NEVER_MS, rotatedIdleCloseMs: NEVER_MS, changeReadsPerSecond: 250, closeIdleAfterMs: 0 },
      logger,
      () => {},
    );
    await registry.add(path, true);
    expect(registry.fileCount).toBe(1);

    await rename(path, `${path}.1`);
    // The rename event has been handled and the path found empty...
    await waitFor('the rename noticed', () => records.some((record) => String(record.msg).startsWith('file renamed away')), 5_000);
    // ...and only then does the application create its new log, as after a reopen signal.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writeFile(path, 'new\n');
    // The record is logged after the checkpoint flush that follows adding the file: wait for it, not the count.
    const following = () => records.filter((record) => String(record.msg) === 'following file').length;
    await waitFor('the new file followed', () => following() >= 2, 5_000);
    expect(following()).toBe(2);
    expect(registry.fileCount).toBe(2);
  });

  it.runIf(process.platform === 'linux')('opens the file created at a vanished path when its directory reports it, without waiting for a re-check', async () => {
    const path = join(dir, 'app.log');
    await writeFile(path, 'old\n');
    const { logger, records } = captureLogger('info');
    const store = new CheckpointStore(join(dir, 'state.json'), logger);
    await store.load();
    // With timers faked the registry's re-checks of the vanished path never run: only the kernel's
    // events can lead it to the new file. Waits below step through real event-loop turns instead.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    registry = new FileRegistry(
      store,
      { fromStart: false, maxLineBytes: 65_536, pollIntervalMs: NEVER_MS, rotatedIdleCloseMs: NEVER_MS, changeReadsPerSecond: 250, closeIdleAfterMs: 0 },
      logger,
      () => {},
    );
    await registry.add(path, true);
    const turnsUntil = async (what: string, condition: () => boolean): Promise<void> => {
      const deadline = Date.now() + 3_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await rename(path, `${path}.1`);
    await turnsUntil('the rename noticed', () => records.some((record) => String(record.msg).startsWith('file renamed away')));
    await writeFile(path, 'new\n');
    await turnsUntil('the new file followed', () => records.filter((record) => String(record.msg) === 'following file').length === 2);
    expect(registry.fileCount).toBe(2);
  });

  /** A registry as the agent runs it, driven by hand; `drain` reads and acknowledges every batch there is. */
  function startRegistry(store: CheckpointStore, logger: Logger): { followed: FileRegistry; drain: () => Promise<void>; received: () => string } {
    const followed = new FileRegistry(
      store,
      { fromStart: false, maxLineBytes: 4096, pollIntervalMs: NEVER_MS, rotatedIdleCloseMs: 0, changeReadsPerSecond: 250, closeIdleAfterMs: 0 },
      logger,
      () => {},
    );
    registry = followed;
    const buffer = Buffer.alloc(minReadBufferBytes(4096));
    let received = '';
    const drain = async (): Promise<void> => {
      for (let tailer = followed.nextReadable(); tailer; tailer = followed.nextReadable()) {
        const batch = await tailer.readBatch(buffer, 65_536);
        if (!batch) continue;
        received += batch.body.toString('utf8');
        followed.acknowledge(tailer, batch.gen, batch.endOffset);
      }
    };
    return { followed, drain, received: () => received };
  }

  /** Deletes the followed `path` and waits until its file is read to its end (a partial line sent as a line), acknowledged up to `end` and closed. */
  async function deleteAndClose(path: string, end: number, { followed, drain }: ReturnType<typeof startRegistry>, records: LogRecord[]): Promise<void> {
    await unlink(path);
    await followed.checkPath(path);
    await waitFor('the deleted file closed', async () => {
      await drain();
      await followed.poll();
      return records.some((record) => record.msg === 'closed file that was read to its end' && record.offset === end);
    }, 5_000);
  }

  const inodeOf = async (path: string) => (await stat(path, { bigint: true })).ino;

  it('has a new file\u2019s checkpoint readable by a restarted agent before the file can be read', async () => {
    const stateFile = join(dir, 'state.json');
    const { logger } = captureLogger('info');
    const store = new CheckpointStore(stateFile, logger);
    await store.load();
    const { followed } = startRegistry(store, logger);
    const path = join(dir, 'new.log');
    await writeFile(path, 'first line\n');
    await followed.add(path, false);
    const tailer = followed.nextReadable();
    expect(tailer?.fileId).toBeDefined();
    // Killed here, before any periodic write of the state file: the restarted agent knows the file
    // under the same gen, so the hub's resume point for its fileId applies.
    const restarted = new CheckpointStore(stateFile, captureLogger().logger);
    await restarted.load();
    const known = restarted.get(await stat(path, { bigint: true }).then((stats) => ({ dev: String(stats.dev), ino: String(stats.ino) })));
    expect(known && fileIdOf(known)).toBe(tailer!.fileId);
  });
  const following = (records: LogRecord[]) => records.filter((record) => record.msg === 'following file');

  it.runIf(process.platform === 'linux')('does not take a new file for the deleted one whose inode it was given', async (context) => {
    const path = join(dir, 'app.log');
    await writeFile(path, '');
    const { logger, records } = captureLogger('info');
    const store = new CheckpointStore(join(dir, 'state.json'), logger);
    await store.load();
    const started = startRegistry(store, logger);
    const { followed, drain, received } = started;
    await followed.add(path, true);

    // Rotated away; the new file holds only the start of a line when it is deleted.
    await rename(path, `${path}.1`);
    await followed.checkPath(path);
    await writeFile(path, 'L00');
    const partialIno = await inodeOf(path);
    await followed.found(path);
    await waitFor('the new file followed', () => following(records).length === 2, 5_000);
    await drain();
    await deleteAndClose(path, 3, started, records);
    expect(received()).toBe('L00\n');

    // Ext4 hands the freed inode to the next file created; the test means nothing where it does not.
    await writeFile(path, 'L000001 x\nL000002 x\n');
    if ((await inodeOf(path)) !== partialIno) return context.skip('the file system gave the new file another inode');
    await followed.found(path);
    await waitFor('the file at the reused inode followed', () => following(records).length === 3, 5_000);
    expect(following(records)[2]).toMatchObject({ from: 'start', offset: 0 });
    await drain();
    expect(received()).toBe('L00\nL000001 x\nL000002 x\n');
  });

  it.runIf(process.platform === 'linux')('reads a file created while the agent was down at a deleted file\'s path from its start, on the freed inode or not', async () => {
    const path = join(dir, 'app.log');
    const stateFile = join(dir, 'state.json');
    await writeFile(path, 'L00');
    const first = captureLogger('info');
    const store = new CheckpointStore(stateFile, first.logger);
    await store.load();
    const started = startRegistry(store, first.logger);
    await started.followed.add(path, true);
    await deleteAndClose(path, 3, started, first.records);
    expect(started.received()).toBe('L00\n');
    await started.followed.close();

    // Created before the state file is written again, so ext4 gives it the deleted file's inode.
    await writeFile(path, 'L000001 x\nL000002 x\n');
    await store.flush();
    const second = captureLogger('info');
    const restarted = new CheckpointStore(stateFile, second.logger);
    await restarted.load();
    const again = startRegistry(restarted, second.logger);
    await again.followed.add(path, true);
    expect(following(second.records)[0]).toMatchObject({ from: 'start', offset: 0 });
    await again.drain();
    expect(again.received()).toBe('L000001 x\nL000002 x\n');
  });
});
