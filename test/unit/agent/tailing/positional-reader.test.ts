import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PositionalReader, SLOW_READ_MS, SLOW_READS_IN_A_ROW } from '../../../../agent/tailing/positional-reader.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

describe('PositionalReader', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-positional-reader-'));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await cleanup();
  });

  it('reads from a position to as far as the file goes', async () => {
    const file = join(dir, 'a.log');
    await writeFile(file, 'hello\nworld\n');
    const handle = await open(file, 'r');
    try {
      const reader = new PositionalReader(handle, () => undefined);
      const buffer = Buffer.alloc(64);
      expect(await reader.read(buffer, 6)).toBe(6);
      expect(buffer.subarray(0, 6).toString()).toBe('world\n');
      expect(await reader.read(buffer, 12)).toBe(0);
    } finally {
      await handle.close();
    }
  });

  it('moves to the thread pool only after several slow reads in a row', async () => {
    const file = join(dir, 'b.log');
    await writeFile(file, 'line\n');
    const handle = await open(file, 'r');
    try {
      let clock = 0;
      let stepMs = 0;
      // Each call of the clock advances it by stepMs: a read then "takes" stepMs.
      vi.spyOn(performance, 'now').mockImplementation(() => (clock += stepMs));
      const slow = vi.fn();
      const reader = new PositionalReader(handle, slow);
      const buffer = Buffer.alloc(16);
      stepMs = SLOW_READ_MS + 1;
      for (let i = 0; i < SLOW_READS_IN_A_ROW - 1; i += 1) await reader.read(buffer, 0);
      stepMs = 0;
      await reader.read(buffer, 0); // one fast read starts the count again
      stepMs = SLOW_READ_MS + 1;
      for (let i = 0; i < SLOW_READS_IN_A_ROW - 1; i += 1) await reader.read(buffer, 0);
      expect(slow).not.toHaveBeenCalled();
      await reader.read(buffer, 0);
      expect(slow).toHaveBeenCalledTimes(1);
      const asyncRead = vi.spyOn(handle, 'read');
      expect(await reader.read(buffer, 0)).toBe(5);
      expect(asyncRead).toHaveBeenCalledTimes(1);
      expect(slow).toHaveBeenCalledTimes(1);
    } finally {
      await handle.close();
    }
  });
});
