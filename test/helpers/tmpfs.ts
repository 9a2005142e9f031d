import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A small tmpfs mounted for one test, to play a state directory that fills up or turns read-only.
 * Needs root (the tests run as root, in CI too); `unmount` in afterEach, whatever happened.
 */
export class Tmpfs {
  private mounted = false;

  constructor(
    readonly dir: string,
    private readonly sizeKb: number,
  ) {}

  async mount(): Promise<this> {
    await mkdir(this.dir, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', `size=${this.sizeKb}k,mode=0755`, 'tmpfs', this.dir]).catch((error: Error) => {
      throw new Error(`cannot mount a tmpfs on ${this.dir} (the fault tests need root): ${error.message}`, { cause: error });
    });
    this.mounted = true;
    return this;
  }

  /** Remounts read-only (`ro`) or read-write (`rw`), keeping the contents. */
  async remount(mode: 'ro' | 'rw'): Promise<void> {
    await run('mount', ['-o', `remount,${mode}`, this.dir]);
  }

  async unmount(): Promise<void> {
    if (!this.mounted) return;
    this.mounted = false;
    // Lazy, so a process still holding a file there cannot keep the mount (and the test dir) alive.
    await run('umount', ['-l', this.dir]);
  }
}
