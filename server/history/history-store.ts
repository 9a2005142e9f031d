import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../lib/logger.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import { forEachLine, type BatchRef } from '../filter/batch-lines.js';
import type { Db } from '../storage/database.js';
import type { BlockCodec } from './block-codec.js';
import { BLOCK_CODECS, defaultBlockCodec } from './codecs/codec-registry.js';
import { decodeBlock, encodeBlock, type BlockMeta } from './block-format.js';
import { FileSync, InFlight, type SyncFunction } from './file-sync.js';
import { HistoryIndex, type BlockRow, type ResumeRow } from './history-index.js';
import { CorruptBlockError, type BlockQuery, type BlockRef, type HistoryReader, type HistorySource } from './history-reader.js';
import { encodeWalRecord, readWalRecords, WalFile, writeFully, type ResumeMark } from './wal.js';

/** A block is sealed once its lines reach this many bytes... */
const BLOCK_BYTES = 256 * 1024;
/** ...or once it has been open this long, so quiet sources reach the segments (and the WAL can go). */
const BLOCK_AGE_MS = 60_000;
/** Lines in all open blocks together: past it the largest is sealed early (many files writing slowly). */
const OPEN_TOTAL_BYTES = 64 * 1024 * 1024;
/** A new segment file is started past this size; retention deletes whole segments. */
const SEGMENT_BYTES = 64 * 1024 * 1024;
/** A new WAL file is started past this size; older ones are deleted once their blocks are sealed. */
const WAL_BYTES = 16 * 1024 * 1024;
/**
 * How often the WAL is forced to disk (fdatasync). Every record is written before its batch is
 * acknowledged, so a killed hub loses nothing; a power loss can cost the last interval's lines.
 */
const SYNC_INTERVAL_MS = 1_000;
/** After a write fails (disk full, unwritable), batches are skipped this long before writing is tried again. */
const RETRY_MS = 1_000;
/** Failures are logged at most this often. */
const LOG_INTERVAL_MS = 60_000;

/** The time a line states, if any (lib/event-time/); absent: every line's time is its batch's `ts`. */
type EventTimeOf = (body: Buffer, start: number, end: number, ts: number) => number | undefined;

/** Counters the store reports to (/metrics). */
export interface HistoryObserver {
  dropped(blocks: number, bytes: number): void;
  writeError(): void;
  corruptBlock(): void;
}

export interface HistoryStoreOptions {
  /** Directory of WAL and segment files, `<data>/history`. */
  dir: string;
  db: Db;
  /** Retention: bytes of segment files, and age of blocks (since sealed). */
  maxBytes: number;
  maxAgeMs: number;
  codec?: BlockCodec | undefined;
  eventTimeOf?: EventTimeOf | undefined;
  logger?: Logger | undefined;
  observer?: HistoryObserver | undefined;
  now?: (() => number) | undefined;
  /** For tests: the bounds above. */
  blockBytes?: number | undefined;
  blockAgeMs?: number | undefined;
  openTotalBytes?: number | undefined;
  segmentBytes?: number | undefined;
  walBytes?: number | undefined;
  syncIntervalMs?: number | undefined;
  /** Whether to run the sync/seal/retention timer (tests call `tick` themselves). Default true. */
  timer?: boolean | undefined;
  /** For tests: the fdatasync run on libuv's thread pool (default `fs.fdatasync`). */
  syncFd?: SyncFunction | undefined;
}

export interface HistoryStats {
  bytes: number;
  blocks: number;
  /** Earliest line time held (ms), or undefined when empty. */
  oldestTime: number | undefined;
}

/** Why history is not being written, for /healthz; undefined when it is. */
export interface HistoryFailure {
  error: string;
  sinceMs: number;
}

interface OpenBlock extends Omit<BlockMeta, 'sourceNum'> {
  source: HistorySource;
  batches: BatchRef[];
  openedAtMs: number;
  /** The oldest WAL file holding some of its records: kept until the block is sealed. */
  walSeq: number;
  resume: Map<string, ResumeRow>;
}

interface SourceState {
  source: HistorySource;
  /** The position the next line gets (one past everything appended). */
  nextPos: number;
  /** One past the newest sealed block. */
  sealedPos: number;
  open: OpenBlock | undefined;
}

interface SegmentState {
  bytes: number;
  blocks: number;
  newestSealedAt: number;
}

interface SealedLocation {
  segment: number;
  offset: number;
  length: number;
}

/** The BlockRefs handed out: sealed ones know where they are, open ones carry their batches. */
interface StoreBlockRef extends BlockRef {
  readonly sealed?: SealedLocation;
  readonly batches?: readonly BatchRef[];
}

const WAL_NAME = /^wal-(\d+)\.log$/;
const SEGMENT_NAME = /^seg-(\d+)\.dat$/;
const walName = (seq: number) => `wal-${String(seq).padStart(10, '0')}.log`;
const segmentName = (num: number) => `seg-${String(num).padStart(10, '0')}.dat`;

function numberedFiles(dir: string, pattern: RegExp): number[] {
  return readdirSync(dir)
    .map((name) => pattern.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/**
 * The hub's on-disk history: every accepted batch is appended to a write-ahead log before it is
 * acknowledged, gathered per source in an open block, and sealed (compressed, checksummed) into an
 * append-only segment file indexed in SQLite. Implements HistoryReader for search.
 */
export class HistoryStore implements HistoryReader {
  /** The hub's id, kept in the database so line ids outlive a restart. */
  readonly hubId: string;
  private readonly index: HistoryIndex;
  private readonly codec: BlockCodec;
  private readonly now: () => number;
  private readonly bounds: { blockBytes: number; blockAgeMs: number; openTotalBytes: number; segmentBytes: number; walBytes: number };
  /** Bytes of lines in open blocks. */
  private openBytes = 0;
  private readonly sources = new Map<number, SourceState>();
  private readonly byName = new Map<string, SourceState>();
  private nextNum = 1;

  private wal: WalFile | undefined;
  /**
   * Full WAL files closed to writes, not yet forced to disk: the next tick syncs and closes them (the
   * same promise as the open one's), unless their blocks are sealed and synced first and they are deleted.
   */
  private closedWals: WalFile[] = [];
  private walSeq = 0;
  /** WAL files on disk, oldest first. */
  private walFiles: number[] = [];
  private segment: { num: number; file: FileSync; size: number } | undefined;
  /** Segments closed to writes whose last sync may still run: WAL files are deleted only after it. */
  private readonly closingSegments = new Set<FileSync>();
  /** Syncs and closes running on the thread pool, for `synced()`; a failed sync goes to `failed` as before. */
  private readonly pending = new InFlight((what, error) => this.failed(what, error));
  /** Whether a pass of dropSealedWals is waiting for its syncs. */
  private dropping = false;
  private segmentSeq = 0;
  private readonly segments = new Map<number, SegmentState>();
  private readonly readFds = new Map<number, number>();

  private failure: HistoryFailure | undefined;
  private retryAtMs = 0;
  private readonly throttle: LogThrottle;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: HistoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.codec = options.codec ?? defaultBlockCodec;
    this.throttle = new LogThrottle(LOG_INTERVAL_MS, this.now);
    const segmentBytes = Math.max(1, Math.min(options.segmentBytes ?? SEGMENT_BYTES, Math.floor(options.maxBytes / 8)));
    this.bounds = {
      blockBytes: options.blockBytes ?? BLOCK_BYTES,
      blockAgeMs: options.blockAgeMs ?? BLOCK_AGE_MS,
      openTotalBytes: options.openTotalBytes ?? OPEN_TOTAL_BYTES,
      segmentBytes,
      walBytes: options.walBytes ?? WAL_BYTES,
    };
    mkdirSync(options.dir, { recursive: true });
    this.index = new HistoryIndex(options.db);
    let hubId = this.index.meta('hub_id');
    if (hubId === undefined) {
      hubId = randomBytes(6).toString('hex');
      this.index.setMeta('hub_id', hubId);
    }
    this.hubId = hubId;
    for (const row of this.index.sources()) this.addSource(row.num, row.host, row.file, row.nextPos);
    for (const stats of this.index.segments()) this.segments.set(stats.segment, stats);
    const segmentFiles = numberedFiles(options.dir, SEGMENT_NAME);
    this.segmentSeq = Math.max(0, ...segmentFiles, ...this.segments.keys());
    // Segment files no block refers to (a seal cut short before it was indexed) hold nothing readable.
    for (const num of segmentFiles) if (!this.segments.has(num)) this.unlinkQuietly(segmentName(num));
    this.replay();
    if (options.timer !== false) {
      this.timer = setInterval(() => void this.tick(), options.syncIntervalMs ?? SYNC_INTERVAL_MS);
      this.timer.unref();
    }
  }

  private addSource(num: number, host: string, file: string, sealedPos: number): SourceState {
    const state: SourceState = { source: { num, host, file, idPrefix: `${this.hubId}-${num}-` }, nextPos: sealedPos, sealedPos, open: undefined };
    this.sources.set(num, state);
    this.byName.set(`${host}\n${file}`, state);
    this.nextNum = Math.max(this.nextNum, num + 1);
    return state;
  }

  /** Replays the WAL files left by the last run into blocks, seals them, and deletes the files. */
  private replay(): void {
    this.walFiles = numberedFiles(this.options.dir, WAL_NAME);
    this.walSeq = Math.max(0, ...this.walFiles);
    for (const seq of this.walFiles) {
      const bytes = readFileSync(join(this.options.dir, walName(seq)));
      const { records, validBytes } = readWalRecords(bytes);
      const size = bytes.length;
      if (validBytes < size) this.options.logger?.warn({ file: walName(seq), dropped: size - validBytes }, 'history WAL ends in a torn record; dropped it');
      for (const record of records) {
        let state = this.sources.get(record.sourceNum);
        state ??= this.addSource(record.sourceNum, record.host, record.file, 0);
        const { batch } = record;
        // Already in a sealed block (the WAL outlived the seal by a crash).
        if (batch.firstPos + batch.body.length <= state.sealedPos) continue;
        this.addToBlock(state, batch, seq, record.resume);
      }
    }
    this.sealAll();
    this.dropSealedWalsNow();
  }

  /**
   * The number and next position of a (host, file): the same number as before a restart, so line
   * ids stay valid, and positions continue where history ends. New sources get a new number.
   */
  sourceFor(host: string, file: string): { num: number; pos: number } {
    const state = this.byName.get(`${host}\n${file}`) ?? this.addSource(this.nextNum, host, file, 0);
    return { num: state.source.num, pos: state.nextPos };
  }

  /** Sources in history with when their newest block was sealed (ms; undefined: only open blocks). */
  knownSources(): { source: HistorySource; lastSealedMs: number | undefined }[] {
    const sealed = this.index.lastSealed();
    return [...this.sources.values()].map((state) => ({ source: state.source, lastSealedMs: sealed.get(state.source.num) }));
  }

  /**
   * Where every source's stream ends now (source num -> next position): the lines before these
   * positions were taken before this call, those at or after them (and every source not listed) after.
   */
  streamEnds(): Map<number, number> {
    const ends = new Map<number, number>();
    for (const [num, state] of this.sources) ends.set(num, state.nextPos);
    return ends;
  }

  /** Agents' resume points, least recently written first, dropping those older than `keepSinceMs`. */
  resumePoints(keepSinceMs: number): ResumeRow[] {
    return this.index.resumePoints(keepSinceMs);
  }

  /**
   * Appends one accepted batch: written to the WAL (in the page cache when this returns), then to the
   * source's open block. While writing fails the batch is left out of history (counted, logged,
   * retried after RETRY_MS); the caller goes on either way.
   */
  append(source: { readonly num: number; readonly host: string; readonly file: string; readonly idPrefix: string }, batch: BatchRef, resume?: ResumeMark): void {
    if (this.closed || batch.body.length === 0) return;
    const state = this.sources.get(source.num);
    // Lines of other hubs' sources (a cluster) are theirs to keep.
    if (!state || state.source.idPrefix !== source.idPrefix) return;
    const now = this.now();
    if (this.failure && now < this.retryAtMs) {
      state.nextPos = Math.max(state.nextPos, batch.firstPos + batch.body.length);
      return;
    }
    try {
      if (!this.wal) this.openWal();
      this.wal!.append(encodeWalRecord({ sourceNum: state.source.num, host: state.source.host, file: state.source.file, batch, resume }));
    } catch (error) {
      // Its records up to the failed one stay replayable; a sync failure here adds nothing to report.
      if (this.wal) this.pending.add(this.wal.file.flushAndClose());
      this.wal = undefined;
      this.failed('write the history WAL', error);
      state.nextPos = Math.max(state.nextPos, batch.firstPos + batch.body.length);
      return;
    }
    this.recovered();
    this.addToBlock(state, batch, this.walSeq, resume);
    if (state.open!.rawBytes >= this.bounds.blockBytes) this.seal(state);
    if (this.openBytes > this.bounds.openTotalBytes) this.sealLargest();
    if (this.wal!.size >= this.bounds.walBytes) {
      this.closedWals.push(this.wal!);
      this.wal = undefined;
      this.dropSealedWals();
    }
  }

  private openWal(): void {
    this.walSeq += 1;
    this.wal = new WalFile(join(this.options.dir, walName(this.walSeq)), this.walSeq, this.options.syncFd);
    this.walFiles.push(this.walSeq);
  }

  private addToBlock(state: SourceState, batch: BatchRef, walSeq: number, resume: ResumeMark | undefined): void {
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    let lines = 0;
    const eventTimeOf = this.options.eventTimeOf;
    forEachLine(batch.body, (start, end) => {
      lines += 1;
      if (!eventTimeOf) return;
      const time = eventTimeOf(batch.body, start, end, batch.ts) ?? batch.ts;
      if (time < minTime) minTime = time;
      if (time > maxTime) maxTime = time;
    });
    if (!eventTimeOf) minTime = maxTime = batch.ts;
    const end = batch.firstPos + batch.body.length;
    let block = state.open;
    if (!block) {
      block = { source: state.source, batches: [], firstPos: batch.firstPos, endPos: end, minTime, maxTime, lineCount: 0, rawBytes: 0, openedAtMs: this.now(), walSeq, resume: new Map() };
      state.open = block;
    }
    block.batches.push(batch);
    block.endPos = end;
    block.minTime = Math.min(block.minTime, minTime);
    block.maxTime = Math.max(block.maxTime, maxTime);
    block.lineCount += lines;
    block.rawBytes += batch.body.length;
    this.openBytes += batch.body.length;
    if (resume) {
      const { host, file } = state.source;
      block.resume.set(`${host}\n${resume.fileId}`, { ...resume, host, file });
    }
    state.nextPos = Math.max(state.nextPos, end);
  }

  /** Seals the source's open block into the current segment; on failure the block stays open. */
  private seal(state: SourceState): boolean {
    const block = state.open;
    if (!block) return true;
    if (this.failure && this.now() < this.retryAtMs) return false;
    const meta: BlockMeta = {
      sourceNum: block.source.num,
      firstPos: block.firstPos,
      endPos: block.endPos,
      minTime: block.minTime,
      maxTime: block.maxTime,
      lineCount: block.lineCount,
      rawBytes: block.rawBytes,
    };
    const bytes = encodeBlock(meta, block.batches, this.codec);
    const sealedAt = this.now();
    try {
      const segment = this.openSegment();
      writeFully(segment.file.fd, bytes, segment.size);
      this.index.addBlocks(
        [{ ...meta, segment: segment.num, offset: segment.size, length: bytes.length, sealedAt }],
        [{ num: block.source.num, host: block.source.host, file: block.source.file, nextPos: block.endPos }],
        [...block.resume.values()],
        sealedAt,
      );
      segment.size += bytes.length;
      segment.file.wrote();
      const stats = this.segments.get(segment.num) ?? { segment: segment.num, bytes: 0, blocks: 0, newestSealedAt: 0 };
      stats.bytes += bytes.length;
      stats.blocks += 1;
      stats.newestSealedAt = sealedAt;
      this.segments.set(segment.num, stats);
      if (segment.size >= this.bounds.segmentBytes) this.closeSegment();
    } catch (error) {
      // A partial write is overwritten by the next seal (positional writes); a fresh segment is safer still.
      this.closeSegment();
      this.failed('seal a history block', error);
      return false;
    }
    this.recovered();
    state.open = undefined;
    state.sealedPos = block.endPos;
    this.openBytes -= block.rawBytes;
    this.applyRetention();
    return true;
  }

  private openSegment(): NonNullable<HistoryStore['segment']> {
    if (!this.segment) {
      this.segmentSeq += 1;
      const fd = openSync(join(this.options.dir, segmentName(this.segmentSeq)), 'wx');
      this.segment = { num: this.segmentSeq, file: new FileSync(fd, this.options.syncFd), size: 0 };
    }
    return this.segment;
  }

  /** Stops writing to the current segment; it is synced, then closed, off the event loop. */
  private closeSegment(): void {
    const file = this.segment?.file;
    if (!file) return;
    this.segment = undefined;
    this.closingSegments.add(file);
    const closed = file.flush().finally(async () => {
      await file.close();
      this.closingSegments.delete(file);
    });
    this.pending.add(closed, 'sync a history segment');
  }

  private sealLargest(): void {
    let largest: SourceState | undefined;
    for (const state of this.sources.values()) {
      if (state.open && (!largest || state.open.rawBytes > largest.open!.rawBytes)) largest = state;
    }
    if (largest) this.seal(largest);
  }

  private sealAll(): void {
    for (const state of this.sources.values()) if (state.open) this.seal(state);
  }

  /**
   * Deletes WAL files whose records are all in sealed blocks, once every segment that may hold those
   * blocks, and the index, are forced to disk (the WAL is what would restore them after a power loss).
   * One pass at a time: a call during one does nothing (the next tick calls again).
   */
  private dropSealedWals(): void {
    const obsolete = this.dropping ? [] : this.obsoleteWals();
    if (obsolete.length === 0) return;
    this.dropping = true;
    const done = Promise.all(this.segmentFiles().map((file) => file.flush()))
      .then(() => {
        if (!this.closed) this.deleteWals(obsolete);
      })
      .finally(() => (this.dropping = false));
    this.pending.add(done, 'sync history before deleting WAL files');
  }

  /** dropSealedWals with the segments synced on this thread: at start and at shutdown. */
  private dropSealedWalsNow(): void {
    const obsolete = this.obsoleteWals();
    if (obsolete.length === 0) return;
    try {
      for (const file of this.segmentFiles()) file.syncNow();
    } catch (error) {
      this.failed('sync history before deleting WAL files', error);
      return;
    }
    this.deleteWals(obsolete);
  }

  /** The segments that may hold blocks not yet synced: the open one and those still closing. */
  private segmentFiles(): FileSync[] {
    return [...this.closingSegments, ...(this.segment ? [this.segment.file] : [])];
  }

  /** WAL files older than the oldest one an open block (or the open WAL file) still needs. */
  private obsoleteWals(): number[] {
    let needed = this.wal ? this.walSeq : Number.POSITIVE_INFINITY;
    for (const state of this.sources.values()) if (state.open) needed = Math.min(needed, state.open.walSeq);
    return this.walFiles.filter((seq) => seq < needed);
  }

  /** Deletes WAL files whose blocks' segments are synced, after forcing the index to disk. */
  private deleteWals(obsolete: readonly number[]): void {
    try {
      this.index.checkpoint();
    } catch (error) {
      this.failed('sync history before deleting WAL files', error);
      return;
    }
    const gone = new Set(obsolete);
    for (const seq of obsolete) this.unlinkQuietly(walName(seq));
    this.walFiles = this.walFiles.filter((seq) => !gone.has(seq));
    // Their records are in the segments just synced: no need to force them to disk.
    for (const wal of this.closedWals) if (gone.has(wal.seq)) this.pending.add(wal.file.close());
    this.closedWals = this.closedWals.filter((wal) => !gone.has(wal.seq));
  }

  /**
   * The periodic work: fdatasync the WAL, seal blocks past their age, drop sealed WAL files, retention.
   * Syncs run on the thread pool (a file whose last sync still runs is left to the next tick); the
   * promise settles once they and every other sync or close in flight have (`synced()`).
   */
  tick(): Promise<void> {
    if (this.closed) return this.synced();
    const wal = this.wal;
    const walSynced = wal?.file.sync();
    if (wal && walSynced) {
      const checked = walSynced.catch((error: unknown) => {
        // A WAL file that cannot be synced is not written to any more.
        if (this.wal === wal) {
          this.wal = undefined;
          this.pending.add(wal.file.close());
        }
        throw error;
      });
      this.pending.add(checked, 'sync the history WAL');
    }
    const cutoff = this.now() - this.bounds.blockAgeMs;
    for (const state of this.sources.values()) {
      if (state.open && state.open.openedAtMs <= cutoff) this.seal(state);
    }
    this.dropSealedWals();
    // Full WAL files still needed (their blocks are open) are forced to disk like the open one.
    for (const wal of this.closedWals) this.pending.add(wal.file.flushAndClose(), 'sync the history WAL');
    this.closedWals = [];
    this.applyRetention();
    return this.synced();
  }

  /** Settles once every sync and close started so far (and any they start) has finished. */
  synced(): Promise<void> {
    return this.pending.settled();
  }

  /** Deletes the oldest segments while over maxBytes, and those whose newest block is past maxAgeMs. */
  private applyRetention(): void {
    const cutoff = this.now() - this.options.maxAgeMs;
    let total = 0;
    for (const stats of this.segments.values()) total += stats.bytes;
    for (const [num, stats] of [...this.segments].sort((a, b) => a[0] - b[0])) {
      if (total <= this.options.maxBytes && stats.newestSealedAt >= cutoff) break;
      if (num === this.segment?.num) this.closeSegment();
      let blocks: number;
      try {
        blocks = this.index.deleteSegment(num);
      } catch (error) {
        this.failed('drop history by retention', error);
        return;
      }
      this.segments.delete(num);
      total -= stats.bytes;
      const fd = this.readFds.get(num);
      if (fd !== undefined) {
        this.readFds.delete(num);
        closeSync(fd);
      }
      this.unlinkQuietly(segmentName(num));
      this.options.observer?.dropped(blocks, stats.bytes);
    }
  }

  blocks(query: BlockQuery): BlockRef[] {
    const from = query.from ?? Number.NEGATIVE_INFINITY;
    const to = query.to ?? Number.POSITIVE_INFINITY;
    const refs: BlockRef[] = [];
    for (const row of this.index.blocksMeeting(from, to)) {
      const ref = this.sealedRef(row);
      if (ref) refs.push(ref);
    }
    for (const state of this.sources.values()) {
      const block = state.open;
      if (block && block.maxTime >= from && block.minTime <= to) refs.push(this.openRef(block));
    }
    return refs;
  }

  private sealedRef(row: BlockRow): StoreBlockRef | undefined {
    const state = this.sources.get(row.sourceNum);
    if (!state) return undefined;
    return {
      source: state.source,
      minTime: row.minTime,
      maxTime: row.maxTime,
      firstPos: row.firstPos,
      endPos: row.endPos,
      rawBytes: row.rawBytes,
      sealed: { segment: row.segment, offset: row.offset, length: row.length },
    };
  }

  private openRef(block: OpenBlock): StoreBlockRef {
    return { source: block.source, minTime: block.minTime, maxTime: block.maxTime, firstPos: block.firstPos, endPos: block.endPos, rawBytes: block.rawBytes, batches: block.batches.slice() };
  }

  read(block: BlockRef): readonly BatchRef[] {
    const ref = block as StoreBlockRef;
    if (ref.batches) return ref.batches;
    if (!ref.sealed) throw new TypeError('not a block of this history store');
    const { segment, offset, length } = ref.sealed;
    let fd = this.readFds.get(segment);
    const bytes = Buffer.allocUnsafe(length);
    try {
      if (fd === undefined) {
        fd = openSync(join(this.options.dir, segmentName(segment)), 'r');
        this.readFds.set(segment, fd);
      }
      let done = 0;
      while (done < length) {
        const read = readSync(fd, bytes, done, length - done, offset + done);
        if (read === 0) break;
        done += read;
      }
      if (done < length) throw new CorruptBlockError('block cut short in its segment file');
      const decoded = decodeBlock(bytes, BLOCK_CODECS);
      if (decoded.meta.sourceNum !== ref.source.num || decoded.meta.firstPos !== ref.firstPos || decoded.meta.endPos !== ref.endPos) {
        throw new CorruptBlockError('block does not match its index entry');
      }
      return decoded.batches;
    } catch (error) {
      if (error instanceof CorruptBlockError) {
        this.options.observer?.corruptBlock();
        this.throttle.run((suppressed) => this.options.logger?.warn({ segment, offset, err: error, suppressed }, 'corrupt history block skipped'));
        throw error;
      }
      throw new CorruptBlockError(`cannot read block: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The source's newest batches in history, oldest first, about `maxBytes` of lines (whole blocks). */
  newestBatches(sourceNum: number, maxBytes: number): BatchRef[] {
    const state = this.sources.get(sourceNum);
    if (!state) return [];
    const chunks: (readonly BatchRef[])[] = [];
    let bytes = 0;
    if (state.open) {
      chunks.push(state.open.batches.slice());
      bytes += state.open.rawBytes;
    }
    const perBlock = Math.max(1, this.bounds.blockBytes);
    for (const row of this.index.newestBlocks(sourceNum, Math.ceil(maxBytes / perBlock) + 2)) {
      if (bytes >= maxBytes) break;
      const ref = this.sealedRef(row);
      if (!ref) continue;
      try {
        chunks.push(this.read(ref));
      } catch (error) {
        if (error instanceof CorruptBlockError) break; // older lines would leave a gap
        throw error;
      }
      bytes += row.rawBytes;
    }
    return chunks.reverse().flat();
  }

  /** Batches of a source around `pos`: the block holding it and a neighbour on each side, oldest first. */
  batchesAround(sourceNum: number, pos: number): BatchRef[] {
    const state = this.sources.get(sourceNum);
    if (!state) return [];
    const rows = [...this.index.blocksUpTo(sourceNum, pos, 2).reverse(), ...this.index.blocksFrom(sourceNum, pos + 1, 1)];
    const batches: BatchRef[] = [];
    for (const row of rows) {
      const ref = this.sealedRef(row);
      if (!ref) continue;
      try {
        batches.push(...this.read(ref));
      } catch (error) {
        if (!(error instanceof CorruptBlockError)) throw error;
      }
    }
    if (state.open && state.open.firstPos <= pos + this.bounds.blockBytes) batches.push(...state.open.batches);
    return batches;
  }

  /** The history source a line id of this hub names, and its position. */
  resolveLineId(id: string): { source: HistorySource; pos: number } | undefined {
    const last = id.lastIndexOf('-');
    const middle = id.lastIndexOf('-', last - 1);
    if (middle <= 0 || id.slice(0, middle) !== this.hubId) return undefined;
    const num = Number(id.slice(middle + 1, last));
    const pos = Number(id.slice(last + 1));
    const state = this.sources.get(num);
    return state && Number.isSafeInteger(pos) && pos >= 0 ? { source: state.source, pos } : undefined;
  }

  stats(): HistoryStats {
    let bytes = 0;
    let blocks = 0;
    for (const stats of this.segments.values()) {
      bytes += stats.bytes;
      blocks += stats.blocks;
    }
    let oldestTime = this.index.oldestTime();
    for (const state of this.sources.values()) {
      if (state.open && (oldestTime === undefined || state.open.minTime < oldestTime)) oldestTime = state.open.minTime;
    }
    return { bytes, blocks, oldestTime };
  }

  /** Why history is not being written, or undefined when it is. */
  get failing(): HistoryFailure | undefined {
    return this.failure;
  }

  private failed(what: string, error: unknown): void {
    this.options.observer?.writeError();
    this.failure ??= { error: `cannot ${what}: ${(error as Error).message}`, sinceMs: this.now() };
    this.retryAtMs = this.now() + RETRY_MS;
    this.throttle.run((suppressed) =>
      this.options.logger?.error({ err: error, suppressed }, `cannot ${what}; lines taken in meanwhile are not kept in history (retrying)`),
    );
  }

  private recovered(): void {
    if (!this.failure) return;
    this.options.logger?.info({ failingSinceMs: this.failure.sinceMs }, 'history is written again');
    this.failure = undefined;
  }

  private unlinkQuietly(name: string): void {
    try {
      unlinkSync(join(this.options.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.logger?.warn({ err: error, file: name }, 'cannot delete a history file');
    }
  }

  /**
   * Seals every open block and closes the files (a clean stop leaves no WAL behind). Shutdown is not
   * latency-critical: the last syncs run on this thread, so everything is on disk when this returns;
   * fds with a sync still in flight close once it ends (`synced()`).
   */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.sealAll();
    if (this.wal) this.closedWals.push(this.wal);
    this.wal = undefined;
    this.dropSealedWalsNow();
    // WAL files still needed (a seal failed) are forced to disk.
    for (const wal of this.closedWals) {
      this.syncNowOrReport(wal.file, 'sync the history WAL');
      this.pending.add(wal.file.close());
    }
    this.closedWals = [];
    for (const file of this.segmentFiles()) this.syncNowOrReport(file, 'sync a history segment');
    this.closeSegment();
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
    this.closed = true;
  }

  private syncNowOrReport(file: FileSync, what: string): void {
    try {
      file.syncNow();
    } catch (error) {
      this.failed(what, error);
    }
  }
}
