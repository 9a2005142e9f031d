import type { Db } from '../storage/database.js';
import type { BlockMeta } from './block-format.js';
import type { ResumeMark } from './wal.js';

/** A sealed block's row in `history_blocks`. */
export interface BlockRow extends BlockMeta {
  id: number;
  segment: number;
  offset: number;
  length: number;
  sealedAt: number;
}

export interface SourceRow {
  num: number;
  host: string;
  file: string;
  /** One past the end of the newest sealed block. */
  nextPos: number;
}

export interface ResumeRow extends ResumeMark {
  host: string;
  file: string;
}

export interface SegmentStats {
  segment: number;
  bytes: number;
  blocks: number;
  newestSealedAt: number;
}

const BLOCK_COLUMNS = `id, segment, offset, length, source_num AS sourceNum, min_time AS minTime, max_time AS maxTime,
  first_pos AS firstPos, end_pos AS endPos, line_count AS lineCount, raw_bytes AS rawBytes, sealed_at AS sealedAt`;

/** The SQLite side of the history store: block index, sources, resume points, the hub id. */
export class HistoryIndex {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insertBlock: db.prepare(`INSERT INTO history_blocks (segment, offset, length, source_num, min_time, max_time, first_pos, end_pos, line_count, raw_bytes, sealed_at)
        VALUES (@segment, @offset, @length, @sourceNum, @minTime, @maxTime, @firstPos, @endPos, @lineCount, @rawBytes, @sealedAt)`),
      upsertSource: db.prepare(`INSERT INTO history_sources (num, host, file, next_pos) VALUES (?, ?, ?, ?)
        ON CONFLICT (num) DO UPDATE SET next_pos = max(next_pos, excluded.next_pos)`),
      upsertResume: db.prepare(`INSERT INTO history_resume (host, file_id, file, end_offset, token, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (host, file_id) DO UPDATE SET file = excluded.file, end_offset = max(end_offset, excluded.end_offset), token = excluded.token, updated_at = excluded.updated_at`),
      meeting: db.prepare(`SELECT ${BLOCK_COLUMNS} FROM history_blocks WHERE max_time >= ? AND min_time <= ?`),
      newest: db.prepare(`SELECT ${BLOCK_COLUMNS} FROM history_blocks WHERE source_num = ? ORDER BY first_pos DESC LIMIT ?`),
      around: db.prepare(`SELECT ${BLOCK_COLUMNS} FROM history_blocks WHERE source_num = ? AND first_pos <= ? ORDER BY first_pos DESC LIMIT ?`),
      after: db.prepare(`SELECT ${BLOCK_COLUMNS} FROM history_blocks WHERE source_num = ? AND first_pos >= ? ORDER BY first_pos ASC LIMIT ?`),
      segments: db.prepare(`SELECT segment, sum(length) AS bytes, count(*) AS blocks, max(sealed_at) AS newestSealedAt FROM history_blocks GROUP BY segment ORDER BY segment`),
      deleteSegment: db.prepare(`DELETE FROM history_blocks WHERE segment = ?`),
      oldestTime: db.prepare(`SELECT min(min_time) AS t FROM history_blocks`),
      sources: db.prepare(`SELECT num, host, file, next_pos AS nextPos FROM history_sources`),
      recentSources: db.prepare(`SELECT source_num AS num, max(sealed_at) AS sealedAt FROM history_blocks GROUP BY source_num`),
      resume: db.prepare(`SELECT host, file_id AS fileId, file, end_offset AS endOffset, token FROM history_resume ORDER BY updated_at`),
      pruneResume: db.prepare(`DELETE FROM history_resume WHERE updated_at < ?`),
      getMeta: db.prepare(`SELECT value FROM meta WHERE key = ?`),
      setMeta: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    };
  }

  /** Indexes sealed blocks and moves their sources and resume points forward, in one transaction. */
  addBlocks(rows: readonly Omit<BlockRow, 'id'>[], sources: readonly SourceRow[], resume: readonly ResumeRow[], nowMs: number): void {
    this.db.transaction(() => {
      for (const row of rows) this.statements.insertBlock.run(row);
      for (const source of sources) this.statements.upsertSource.run(source.num, source.host, source.file, source.nextPos);
      for (const mark of resume) this.statements.upsertResume.run(mark.host, mark.fileId, mark.file, mark.endOffset, mark.token ?? null, nowMs);
    })();
  }

  /** Blocks whose [minTime, maxTime] meets [from, to]. */
  blocksMeeting(from: number, to: number): BlockRow[] {
    return this.statements.meeting.all(from, to) as BlockRow[];
  }

  /** The source's newest sealed blocks, newest first. */
  newestBlocks(sourceNum: number, limit: number): BlockRow[] {
    return this.statements.newest.all(sourceNum, limit) as BlockRow[];
  }

  /** Up to `limit` blocks starting at or before `pos`, newest first. */
  blocksUpTo(sourceNum: number, pos: number, limit: number): BlockRow[] {
    return this.statements.around.all(sourceNum, pos, limit) as BlockRow[];
  }

  /** Up to `limit` blocks starting at or after `pos`, oldest first. */
  blocksFrom(sourceNum: number, pos: number, limit: number): BlockRow[] {
    return this.statements.after.all(sourceNum, pos, limit) as BlockRow[];
  }

  segments(): SegmentStats[] {
    return this.statements.segments.all() as SegmentStats[];
  }

  /** Removes a segment's blocks from the index; returns how many there were. */
  deleteSegment(segment: number): number {
    return this.statements.deleteSegment.run(segment).changes;
  }

  oldestTime(): number | undefined {
    const row = this.statements.oldestTime.get() as { t: number | null };
    return row.t ?? undefined;
  }

  sources(): SourceRow[] {
    return this.statements.sources.all() as SourceRow[];
  }

  /** When each source's newest block was sealed. */
  lastSealed(): Map<number, number> {
    const rows = this.statements.recentSources.all() as { num: number; sealedAt: number }[];
    return new Map(rows.map((row) => [row.num, row.sealedAt]));
  }

  /** Resume points, least recently written first; those older than `keepSinceMs` are dropped first. */
  resumePoints(keepSinceMs: number): ResumeRow[] {
    this.statements.pruneResume.run(keepSinceMs);
    return (this.statements.resume.all() as (Omit<ResumeRow, 'token'> & { token: string | null })[]).map((row) => ({ ...row, token: row.token ?? undefined }));
  }

  meta(key: string): string | undefined {
    return (this.statements.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  /** Makes committed transactions durable against power loss (the database runs synchronous=NORMAL). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }
}
