import { afterEach, beforeEach } from 'vitest';
import type { CliProcess } from './cli-process.js';
import { makeTempDir } from './temp-dir.js';

/**
 * For a describe block that starts CLI processes: each test gets a fresh temporary directory, and
 * the processes it pushed onto `processes` are stopped (and the directory removed) after it.
 */
export function useScratch(): { readonly dir: string; readonly processes: CliProcess[] } {
  let current: { dir: string; cleanup: () => Promise<void> } | undefined;
  const processes: CliProcess[] = [];
  beforeEach(async () => {
    current = await makeTempDir();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await current?.cleanup();
    current = undefined;
  });
  return {
    get dir() {
      if (current === undefined) throw new Error('the scratch directory exists only while a test runs');
      return current.dir;
    },
    processes,
  };
}
