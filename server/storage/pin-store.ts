import type { CreatePin, Pin } from '../../protocol/index.js';
import type { Db } from './database.js';

interface PinRow {
  id: string;
  name: string;
  spec: string;
  created_by: string | null;
  created_at: number;
}

/** Pins (built by records.ts) and their per-bucket match counts, in SQLite. */
export class PinStore {
  private readonly insertPin;
  private readonly deletePin;
  private readonly deleteCounts;
  private readonly selectAll;
  private readonly selectOne;
  private readonly addCount;
  private readonly selectCounts;
  private readonly pruneCounts;

  constructor(private readonly db: Db) {
    this.insertPin = db.prepare('INSERT INTO pins (id, name, spec, created_by, created_at) VALUES (?, ?, ?, ?, ?)');
    this.deletePin = db.prepare('DELETE FROM pins WHERE id = ?');
    this.deleteCounts = db.prepare('DELETE FROM pin_counts WHERE pin_id = ?');
    this.selectAll = db.prepare('SELECT * FROM pins ORDER BY created_at, id');
    this.selectOne = db.prepare('SELECT * FROM pins WHERE id = ?');
    this.addCount = db.prepare(
      'INSERT INTO pin_counts (pin_id, bucket_ts, count) VALUES (?, ?, ?) ON CONFLICT (pin_id, bucket_ts) DO UPDATE SET count = count + excluded.count',
    );
    this.selectCounts = db.prepare('SELECT bucket_ts AS ts, count FROM pin_counts WHERE pin_id = ? AND bucket_ts >= ? ORDER BY bucket_ts');
    this.pruneCounts = db.prepare('DELETE FROM pin_counts WHERE bucket_ts < ?');
  }

  /** The name and record fields have columns; the filter fields and alert rules are kept as JSON (`spec`). */
  save(pin: Pin): void {
    const { id, name, createdAt, createdBy, ...spec } = pin;
    this.insertPin.run(id, name, JSON.stringify(spec), createdBy ?? null, createdAt);
  }

  list(): Pin[] {
    return (this.selectAll.all() as PinRow[]).map(toPin);
  }

  get(id: string): Pin | undefined {
    const row = this.selectOne.get(id) as PinRow | undefined;
    return row ? toPin(row) : undefined;
  }

  /** Removes the pin and its counts; returns the removed pin. */
  delete(id: string): Pin | undefined {
    const pin = this.get(id);
    if (!pin) return undefined;
    this.db.transaction(() => {
      this.deleteCounts.run(id);
      this.deletePin.run(id);
    })();
    return pin;
  }

  /** Adds counts, as (pinId, bucketTs, count) triples, in one transaction. */
  addCounts(counts: Iterable<[string, number, number]>): void {
    this.db.transaction(() => {
      for (const [pinId, bucketTs, count] of counts) this.addCount.run(pinId, bucketTs, count);
    })();
  }

  counts(pinId: string, sinceTs: number): Array<{ ts: number; count: number }> {
    return this.selectCounts.all(pinId, sinceTs) as Array<{ ts: number; count: number }>;
  }

  pruneBefore(ts: number): void {
    this.pruneCounts.run(ts);
  }
}

function toPin(row: PinRow): Pin {
  const spec = JSON.parse(row.spec) as Omit<CreatePin, 'name'>;
  return { ...spec, name: row.name, id: row.id, createdAt: row.created_at, ...(row.created_by ? { createdBy: row.created_by } : {}) };
}
