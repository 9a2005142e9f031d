import type { Capture, CreateCapture } from '../../protocol/index.js';
import type { Db } from './database.js';
import { newId } from './ids.js';

interface CaptureRow {
  id: string;
  title: string;
  filter: string | null;
  lines: string;
  created_by: string | null;
  created_at: number;
}

/** Saved selections of lines for post-mortems, addressed by unguessable ids. */
export class CaptureStore {
  private readonly insert;
  private readonly selectOne;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO captures (id, title, filter, lines, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectOne = db.prepare('SELECT * FROM captures WHERE id = ?');
  }

  create(input: CreateCapture, createdBy: string | undefined, now = Date.now()): Capture {
    const capture: Capture = { ...input, id: newId(16), createdAt: now, ...(createdBy ? { createdBy } : {}) };
    this.insert.run(capture.id, capture.title, input.filter ? JSON.stringify(input.filter) : null, JSON.stringify(input.lines), createdBy ?? null, now);
    return capture;
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
      ...(row.created_by ? { createdBy: row.created_by } : {}),
    };
  }
}
