import type { MatchRange, MatchedLine } from '../../../../protocol/index.js';
import type { FrameScheduler } from '../frame-scheduler.js';
import type { StreamEntry } from './stream-entry.js';

/** Commit pacing: a commit at most every 50 ms, every 100 ms while a commit carries more than BUSY_BATCH entries. */
const COMMIT_INTERVAL_MS = 50;
const BUSY_COMMIT_INTERVAL_MS = 100;
const BUSY_BATCH = 500;
/** Distinct host and file names shared between lines; a fleet larger than this only shares less. */
const MAX_INTERNED_NAMES = 10_000;
const NO_RANGES: MatchRange[] = [];

export type EntriesListener = (batch: ReadonlyMap<string, StreamEntry[]>) => void;

/**
 * Collects decoded entries per subscription and hands them over in one batch per commit (see
 * frame-scheduler.ts), so stores and React see a few commits a second, not one per message.
 */
export class EntryBatcher {
  private pending = new Map<string, StreamEntry[]>();
  private cancelFlush: (() => void) | undefined;
  private lastBatchSize = 0;
  private readonly listeners = new Set<EntriesListener>();
  private readonly names = new Map<string, string>();

  constructor(private readonly scheduler: FrameScheduler) {}

  onBatch(listener: EntriesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pushLines(sub: string, lines: readonly MatchedLine[], backlog: boolean): void {
    const entries = this.queueFor(sub);
    for (const line of lines) entries.push({ kind: 'line', line: this.compact(line), backlog });
    this.schedule();
  }

  push(sub: string, entry: StreamEntry): void {
    this.queueFor(sub).push(entry);
    this.schedule();
  }

  /** Forgets what is waiting for `sub` (its filter changed, or it was closed). */
  drop(sub: string): void {
    this.pending.delete(sub);
  }

  clear(): void {
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    this.pending.clear();
  }

  private queueFor(sub: string): StreamEntry[] {
    let entries = this.pending.get(sub);
    if (!entries) {
      entries = [];
      this.pending.set(sub, entries);
    }
    return entries;
  }

  private schedule(): void {
    if (this.cancelFlush || this.pending.size === 0) return;
    const interval = this.lastBatchSize > BUSY_BATCH ? BUSY_COMMIT_INTERVAL_MS : COMMIT_INTERVAL_MS;
    this.cancelFlush = this.scheduler.request(this.flush, interval);
  }

  private readonly flush = (): void => {
    this.cancelFlush = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.lastBatchSize = 0;
    for (const entries of batch.values()) this.lastBatchSize += entries.length;
    for (const listener of [...this.listeners]) listener(batch);
  };

  /*
   * A pane holds 50,000 lines, and JSON.parse gives each its own copy of the same few host and
   * file names. Sharing one copy (and one empty ranges array) keeps the heap, and the time the
   * garbage collector spends walking it, smaller.
   */
  private compact(line: MatchedLine): MatchedLine {
    if (this.names.size > MAX_INTERNED_NAMES) this.names.clear();
    line.host = this.intern(line.host);
    line.file = this.intern(line.file);
    if (line.ranges.length === 0) line.ranges = NO_RANGES;
    return line;
  }

  private intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }
}
