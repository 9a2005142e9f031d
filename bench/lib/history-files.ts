import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HistoryBytes {
  segments: number;
  wal: number;
  /** The hub's SQLite database with its WAL (the index of blocks, sources, resume points). */
  index: number;
  total: number;
}

/** Bytes of a hub's history on disk under `dataDir`: segment and WAL files in `history/`, and the database. */
export function historyBytes(dataDir: string): HistoryBytes {
  const sizeOf = (dir: string, test: (name: string) => boolean): number => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      // No history directory: history is off.
      return 0;
    }
    let sum = 0;
    for (const name of names.filter(test)) {
      try {
        sum += statSync(join(dir, name)).size;
      } catch {
        // Deleted meanwhile (a WAL file dropped after a seal).
      }
    }
    return sum;
  };
  const historyDir = join(dataDir, 'history');
  const segments = sizeOf(historyDir, (name) => name.startsWith('seg-'));
  const wal = sizeOf(historyDir, (name) => name.startsWith('wal-'));
  const index = sizeOf(dataDir, (name) => name.startsWith('supergrep.db'));
  return { segments, wal, index, total: segments + wal + index };
}
