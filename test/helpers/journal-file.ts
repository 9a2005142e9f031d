import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's systemd-journal-remote (package systemd-journal-remote), which writes journal files. */
const JOURNAL_REMOTE = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find((path) => existsSync(path)) ?? '/lib/systemd/systemd-journal-remote';

/** The boot id every test entry carries (journal-remote wants one). */
const BOOT_ID = '0123456789abcdef0123456789abcdef';

export interface JournalEntry {
  /** µs since the epoch. */
  realtimeUs: bigint;
  /** Any other fields; a Buffer value (or one with a newline) is written in the binary form. */
  fields: Record<string, string | Buffer>;
}

let monotonic = 1_000n;

/**
 * Entries in the journal export format (systemd's "Journal Export Format"): `KEY=value` lines, a
 * blank line after each entry; a value that is binary or holds a newline is written as the key, a
 * newline, its length as 64-bit little-endian, the bytes and a newline.
 */
function exportFormat(entries: JournalEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    monotonic += 1n;
    const fields: Record<string, string | Buffer> = {
      __REALTIME_TIMESTAMP: String(entry.realtimeUs),
      __MONOTONIC_TIMESTAMP: String(monotonic),
      _BOOT_ID: BOOT_ID,
      ...entry.fields,
    };
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string' && !value.includes('\n')) {
        parts.push(Buffer.from(`${key}=${value}\n`, 'utf8'));
      } else {
        const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
        const length = Buffer.alloc(8);
        length.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(`${key}\n`), length, bytes, Buffer.from('\n'));
      }
    }
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Writes `entries` to the journal file `path` (its name must end in `.journal`) with
 * systemd-journal-remote, appending when the file exists. Rejects with journal-remote's output when
 * it fails.
 */
export function writeJournal(path: string, entries: JournalEntry[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(JOURNAL_REMOTE, [`--output=${path}`, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${JOURNAL_REMOTE} exited with ${code}: ${stderr}`))));
    child.stdin.end(exportFormat(entries));
  });
}
