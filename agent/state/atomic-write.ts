import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * Keep the contents being replaced under this name (a hard link, so no copy and no moment without
   * `file`): if `file` is later damaged by something else, the state before the last write survives.
   * Best effort: a file system without hard links simply keeps no previous copy.
   */
  keepPreviousAs?: string;
}

/** Temporary files are named `.<name>.tmp-<pid>-<random>` next to the target. */
export function temporaryPrefix(file: string): string {
  return `.${basename(file)}.tmp-`;
}

/**
 * Replaces `file` with `data` so a crash at any moment leaves either the old or the new contents,
 * never a mix: write a temporary file in the same directory (rename is only atomic within one file
 * system), fsync it, rename it over the target, then fsync the directory so the rename itself is
 * durable.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${temporaryPrefix(file)}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.keepPreviousAs !== undefined) await linkPrevious(file, options.keepPreviousAs, `${temp}.prev`);
    await rename(temp, file);
  } catch (cause) {
    await unlink(temp).catch(() => {
      // The temporary file may never have been created; either way there is nothing more to clean.
    });
    throw cause;
  }
  await syncDirectory(dir);
}

/** Gives the current contents of `file` the name `previous` (link to a staging name, then rename over). */
async function linkPrevious(file: string, previous: string, staging: string): Promise<void> {
  try {
    await link(file, staging);
    await rename(staging, previous);
  } catch {
    // No current file yet (first write), or no hard links here: there is nothing to keep, and the
    // write itself must not fail for it. A staging link left behind is removed.
    await unlink(staging).catch(() => {
      // Never created: nothing to remove.
    });
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory (EINVAL); the rename has happened either way.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}
