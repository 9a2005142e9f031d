import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Schema migrations, applied in order once each; the index of the last applied one is kept in
 * SQLite's user_version. Append new steps; never edit a shipped one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE pins (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     created_by TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE pin_counts (
     pin_id TEXT NOT NULL,
     bucket_ts INTEGER NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (pin_id, bucket_ts)
   ) WITHOUT ROWID;
   CREATE TABLE deploys (
     id TEXT PRIMARY KEY,
     label TEXT NOT NULL,
     by TEXT,
     url TEXT,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     created_by TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX deploys_started_at ON deploys (started_at);
   CREATE TABLE captures (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     filter TEXT,
     lines TEXT NOT NULL,
     created_by TEXT,
     created_at INTEGER NOT NULL
   );`,
  // Pruning old pin counts deletes by bucket time across all pins; without this it scans the table.
  `CREATE INDEX pin_counts_bucket_ts ON pin_counts (bucket_ts);`,
  // Which agent token owns each host name (server/ingest/host-ownership.ts).
  `CREATE TABLE host_owners (
     host TEXT PRIMARY KEY,
     token TEXT NOT NULL,
     last_seen_ms INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX host_owners_last_seen ON host_owners (last_seen_ms);`,
  // The time range of a capture made from a search (JSON {from, to}; NULL for a live selection).
  `ALTER TABLE captures ADD COLUMN time_range TEXT;`,
  // The history store (server/history/): sealed blocks in segment files, the sources they belong
  // to, agents' resume points, and the hub's persistent id.
  `CREATE TABLE history_blocks (
     id INTEGER PRIMARY KEY,
     segment INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     length INTEGER NOT NULL,
     source_num INTEGER NOT NULL,
     min_time REAL NOT NULL,
     max_time REAL NOT NULL,
     first_pos INTEGER NOT NULL,
     end_pos INTEGER NOT NULL,
     line_count INTEGER NOT NULL,
     raw_bytes INTEGER NOT NULL,
     sealed_at INTEGER NOT NULL
   );
   CREATE INDEX history_blocks_time ON history_blocks (min_time, max_time);
   CREATE INDEX history_blocks_max_time ON history_blocks (max_time);
   CREATE INDEX history_blocks_source ON history_blocks (source_num, first_pos);
   CREATE INDEX history_blocks_segment ON history_blocks (segment);
   CREATE TABLE history_sources (
     num INTEGER PRIMARY KEY,
     host TEXT NOT NULL,
     file TEXT NOT NULL,
     next_pos INTEGER NOT NULL,
     UNIQUE (host, file)
   );
   CREATE TABLE history_resume (
     host TEXT NOT NULL,
     file_id TEXT NOT NULL,
     file TEXT NOT NULL,
     end_offset INTEGER NOT NULL,
     token TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (host, file_id)
   ) WITHOUT ROWID;
   CREATE TABLE meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // A deploy's own verdict window (ms; NULL: the hub's verdictWindowMs).
  `ALTER TABLE deploys ADD COLUMN window_ms INTEGER;`,
  // The deploy markers inside a capture's lines' span, saved with it (JSON array; NULL: none).
  `ALTER TABLE captures ADD COLUMN deploys TEXT;`,
];

/** Opens (creating if needed) the hub's database in `dataDir` and brings its schema up to date. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'supergrep.db'));
  // WAL lets readers proceed while a write is in progress; NORMAL sync is durable across process
  // crashes (only a power loss can lose the last transactions), which suits pins and captures.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
