import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../../agent/state/checkpoint-store.js';
import { FileRegistry } from '../../../../agent/tailing/file-registry.js';
import { captureLogger } from '../../../helpers/agent-harness.js';
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
      { fromStart: false, maxLineBytes: 65_536, pollIntervalMs: NEVER_MS, rotatedIdleCloseMs: NEVER_MS, changeReadsPerSecond: 250 },
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
});
