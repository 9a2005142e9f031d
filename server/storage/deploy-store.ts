import type { Deploy } from '../../protocol/index.js';
import type { Db } from './database.js';

interface DeployRow {
  id: string;
  label: string;
  by: string | null;
  url: string | null;
  started_at: number;
  finished_at: number | null;
  window_ms: number | null;
  created_by: string | null;
  created_at: number;
}

function fromRow(row: DeployRow): Deploy {
  return {
    id: row.id,
    label: row.label,
    startedAt: row.started_at,
    createdAt: row.created_at,
    ...(row.by ? { by: row.by } : {}),
    ...(row.url ? { url: row.url } : {}),
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    ...(row.window_ms !== null ? { windowMs: row.window_ms } : {}),
    ...(row.created_by ? { createdBy: row.created_by } : {}),
  };
}

/** Deploy markers (built by records.ts), newest last. */
export class DeployStore {
  private readonly insert;
  private readonly selectSince;
  private readonly selectOne;
  private readonly selectNext;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO deploys (id, label, by, url, started_at, finished_at, window_ms, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The newest `limit` of the window, then put back in start order: a graph wants the recent ones.
    this.selectSince = db.prepare(
      'SELECT * FROM (SELECT * FROM deploys WHERE started_at >= ? ORDER BY started_at DESC, id DESC LIMIT ?) ORDER BY started_at, id',
    );
    this.selectOne = db.prepare('SELECT * FROM deploys WHERE id = ?');
    this.selectNext = db.prepare('SELECT * FROM deploys WHERE started_at > ? ORDER BY started_at, id LIMIT 1');
  }

  save(deploy: Deploy): void {
    this.insert.run(
      deploy.id,
      deploy.label,
      deploy.by ?? null,
      deploy.url ?? null,
      deploy.startedAt,
      deploy.finishedAt ?? null,
      deploy.windowMs ?? null,
      deploy.createdBy ?? null,
      deploy.createdAt,
    );
  }

  /** Deploys that started at or after `sinceTs`, oldest first; the newest `limit` when there are more. */
  list(sinceTs = 0, limit = 1000): Deploy[] {
    return (this.selectSince.all(sinceTs, limit) as DeployRow[]).map(fromRow);
  }

  get(id: string): Deploy | undefined {
    const row = this.selectOne.get(id) as DeployRow | undefined;
    return row && fromRow(row);
  }

  nextAfter(ts: number): Deploy | undefined {
    const row = this.selectNext.get(ts) as DeployRow | undefined;
    return row && fromRow(row);
  }
}
