import type { Capture } from '../../protocol/index.js';
import type { Db } from './database.js';

interface CaptureRow {
  id: string;
  title: string;
  filter: string | null;
  lines: string;
  time_range: string | null;
  deploys: string | null;
  created_by: string | null;
  created_at: number;
}

/** Saved selections of lines for post-mortems (built by records.ts), addressed by unguessable ids. */
export class CaptureStore {
  private readonly insert;
  private readonly selectOne;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO captures (id, title, filter, lines, time_range, deploys, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.selectOne = db.prepare('SELECT * FROM captures WHERE id = ?');
  }

  save(capture: Capture): void {
    this.insert.run(
      capture.id,
      capture.title,
      capture.filter ? JSON.stringify(capture.filter) : null,
      JSON.stringify(capture.lines),
      capture.range ? JSON.stringify(capture.range) : null,
      capture.deploys?.length ? JSON.stringify(capture.deploys) : null,
      capture.createdBy ?? null,
      capture.createdAt,
    );
  }

  get(id: string): Capture | undefined {
    const row = this.selectOne.get(id) as CaptureRow | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      title: row.title,
      lines: JSON.parse(row.lines) as Capture['lines'],
      createdAt: row.created_at,
      ...(row.filter ? { filter: JSON.parse(row.filter) as NonNullable<Capture['filter']> } : {}),
      ...(row.time_range ? { range: JSON.parse(row.time_range) as NonNullable<Capture['range']> } : {}),
      ...(row.deploys ? { deploys: JSON.parse(row.deploys) as NonNullable<Capture['deploys']> } : {}),
      ...(row.created_by ? { createdBy: row.created_by } : {}),
    };
  }
}
