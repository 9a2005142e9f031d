import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentConfig } from '../agent-config.js';
import type { JournalQuery } from './journal-reader.js';

/**
 * What journalctl is asked for. A `file` that is a directory is read with `--directory` (every
 * journal file in it, including ones added later), any other with `--file`. The path is made
 * absolute: journalctl cannot follow a relative `--file`.
 */
export function journalQuery(journal: NonNullable<AgentConfig['journal']>, fromStart: boolean): JournalQuery {
  if (journal.file === undefined) return { units: journal.units, fromStart };
  const path = resolve(journal.file);
  let directory = false;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    // Not there yet: journalctl says so when it starts, and is started again until it is.
  }
  return { units: journal.units, fromStart, path: { kind: directory ? 'directory' : 'file', path } };
}
