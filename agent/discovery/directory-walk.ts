import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files (and symlinks, which may lead to files: /var/log/containers is all symlinks) under `dir`, down
 * to `depth` directory levels below it. Symlinked directories are not entered, so a link loop cannot
 * make the walk endless. A directory that vanishes or cannot be read mid-walk is skipped.
 */
export async function listFiles(dir: string, depth: number, found: (path: string) => void): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    // Missing or unreadable: nothing to list here now; the next rescan looks again.
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0) await listFiles(path, depth - 1, found);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      found(path);
    }
  }
}
