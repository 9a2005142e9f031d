import type { Db } from './database.js';

/** The agent token that owns a host name, and when one of its agents was last there. */
export interface HostOwner {
  token: string;
  lastSeenMs: number;
}

/** What host ownership needs from a store: the SQLite table below, or a Map in tests. */
export interface HostOwnerRecords {
  get(host: string): HostOwner | undefined;
  set(host: string, owner: HostOwner): void;
  /** Forgets owners last seen before `cutoffMs`. */
  pruneBefore(cutoffMs: number): void;
}

/** Host owners in the hub's SQLite database, so a restart does not hand a host to whoever connects first. */
export class HostOwnerStore implements HostOwnerRecords {
  private readonly selectOne;
  private readonly upsert;
  private readonly prune;

  constructor(db: Db) {
    this.selectOne = db.prepare('SELECT token, last_seen_ms AS lastSeenMs FROM host_owners WHERE host = ?');
    this.upsert = db.prepare(
      'INSERT INTO host_owners (host, token, last_seen_ms) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET token = excluded.token, last_seen_ms = excluded.last_seen_ms',
    );
    this.prune = db.prepare('DELETE FROM host_owners WHERE last_seen_ms < ?');
  }

  get(host: string): HostOwner | undefined {
    return this.selectOne.get(host) as HostOwner | undefined;
  }

  set(host: string, owner: HostOwner): void {
    this.upsert.run(host, owner.token, owner.lastSeenMs);
  }

  pruneBefore(cutoffMs: number): void {
    this.prune.run(cutoffMs);
  }
}
