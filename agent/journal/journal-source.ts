import { randomBytes } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type { SourceBatch } from '../shipping/batch-sender.js';
import type { OwnSource } from '../shipping/source-mux.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { monotonicNow } from '../monotonic-clock.js';
import { formatJournalRecord } from './journal-format.js';
import { JournalReader, type JournalQuery } from './journal-reader.js';
import type { JournalRecord } from './journal-record.js';

/** Offsets never change generation: a journal is not truncated like a file. */
const JOURNAL_GEN = 'journal';

export interface JournalSourceOptions {
  query: JournalQuery;
  /** The journalctl program. */
  command: string;
  /** The host the agent reports lines under: an entry from another `_HOSTNAME` names it in its line. */
  agentName: string;
  maxLineBytes: number;
  /** Entries read and not yet acknowledged, in formatted bytes, above which journalctl's output is left unread. */
  maxQueuedBytes: number;
}

/** One entry, formatted, waiting to be sent or acknowledged. */
interface Entry {
  line: Buffer;
  cursor: string;
  /** The source's offset just after this entry's line and its '\n'. */
  endOffset: number;
}

/** The name lines are reported under: `journal`, or `journal:<unit>[,<unit>...]` with --unit. */
function journalReportPath(units: readonly string[]): string {
  return units.length === 0 ? 'journal' : `journal:${units.join(',')}`;
}

/** Which journal query a checkpoint belongs to: the units and the journal file or directory. */
function journalKey(query: JournalQuery): string {
  return JSON.stringify({ units: query.units, path: query.path?.path ?? null });
}

/**
 * The journal as one source to the hub. Each entry is one line; its offset is the running count of
 * its formatted bytes, kept in the state file beside the cursor of the last acknowledged entry, so
 * after a restart `journalctl --after-cursor` continues at the same offset under the same fileId:
 * the hub's resume point then skips what it already holds, as it does for files. Entries read and
 * not acknowledged stay in memory (bounded by `maxQueuedBytes`) and go out again after a reconnect.
 */
export class JournalSource implements OwnSource {
  readonly reportPath: string;
  private readonly key: string;
  /** The fileId, from the checkpoint (or new) once started. */
  private id: string | undefined;
  private reader: JournalReader | undefined;
  /** Unacknowledged entries from `head` on; those before `next` were sent. */
  private entries: Entry[] = [];
  private head = 0;
  private next = 0;
  private queuedBytes = 0;
  private ackedOffset = 0;
  /** Offset just after the last entry read. */
  private endOffset = 0;
  /** The hub holds this source up to here: entries before it count as acknowledged when read. */
  private heldTo = 0;
  private maxLineBytes: number;
  private suspendedUntil = 0;
  private paused = false;

  constructor(
    private readonly options: JournalSourceOptions,
    private readonly store: CheckpointStore,
    private readonly logger: Logger,
    private readonly onReadable: () => void,
  ) {
    this.reportPath = journalReportPath(options.query.units);
    this.key = journalKey(options.query);
    this.maxLineBytes = options.maxLineBytes;
  }

  get fileId(): string {
    return this.id ?? '';
  }

  /** Starts journalctl after the checkpointed cursor; the store must be loaded. */
  start(): void {
    const saved = this.store.getJournal(this.key);
    this.id = saved?.fileId ?? `j.${randomBytes(6).toString('hex')}`;
    this.ackedOffset = this.endOffset = saved?.offset ?? 0;
    // Written at once, before any acknowledgement: a restart then reuses this fileId, and the hub's
    // resume point skips what it already holds.
    if (!saved) {
      this.store.setJournal({ key: this.key, fileId: this.id, offset: 0 });
      void this.store.flush();
    }
    this.reader = new JournalReader({ query: this.options.query, command: this.options.command, cursor: saved?.cursor, onRecords: (records) => this.take(records) }, this.logger);
    this.logger.info({ file: this.reportPath, fileId: this.id, offset: this.ackedOffset, cursor: saved?.cursor, journal: this.options.query.path?.path }, 'following journal');
    this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }

  get restarts(): number {
    return this.reader?.restarts ?? 0;
  }

  wantsRead(): boolean {
    return this.next < this.entries.length && (this.suspendedUntil === 0 || monotonicNow() >= this.suspendedUntil);
  }

  suspend(until: number): void {
    this.suspendedUntil = until;
  }

  /** The next entries into `buffer` (at least maxLineBytes + 1 long), each cut at maxLineBytes. */
  readBatch(buffer: Buffer, maxBodyBytes: number): Promise<SourceBatch | undefined> {
    if (this.next >= this.entries.length) return Promise.resolve(undefined);
    const first = this.next;
    const offset = first === this.head ? this.ackedOffset : this.entries[first - 1]!.endOffset;
    const truncated: number[] = [];
    let used = 0;
    let droppedBytes = 0;
    while (this.next < this.entries.length) {
      const { line } = this.entries[this.next]!;
      const kept = line.length > this.maxLineBytes ? utf8CutAt(line, this.maxLineBytes) : line.length;
      if (this.next > first && (used + kept + 1 > maxBodyBytes || used + kept + 1 > buffer.length)) break;
      if (kept < line.length) {
        truncated.push(used);
        droppedBytes += line.length - kept;
      }
      line.copy(buffer, used, 0, kept);
      used += kept;
      buffer[used++] = 0x0a;
      this.next += 1;
    }
    return Promise.resolve({
      tailer: this,
      file: this.reportPath,
      fileId: this.fileId,
      gen: JOURNAL_GEN,
      offset,
      endOffset: this.entries[this.next - 1]!.endOffset,
      body: buffer.subarray(0, used),
      lineCount: this.next - first,
      truncated,
      droppedBytes,
      ts: Date.now(),
    });
  }

  acknowledge(gen: string, endOffset: number): void {
    if (gen !== JOURNAL_GEN || endOffset <= this.ackedOffset) return;
    let last: Entry | undefined;
    while (this.head < this.entries.length && this.entries[this.head]!.endOffset <= endOffset) {
      last = this.entries[this.head]!;
      this.queuedBytes -= last.line.length;
      this.head += 1;
    }
    if (last === undefined) return;
    this.ackedOffset = last.endOffset;
    this.next = Math.max(this.next, this.head);
    this.store.setJournal({ key: this.key, fileId: this.id!, cursor: last.cursor, offset: last.endOffset });
    this.compact();
    this.flowControl();
  }

  rewind(maxLineBytes?: number): void {
    if (maxLineBytes !== undefined) this.maxLineBytes = maxLineBytes;
    this.next = this.head;
  }

  resumeAt(offset: number | undefined): void {
    this.heldTo = offset ?? 0;
    if (offset !== undefined && offset > this.ackedOffset) this.acknowledge(JOURNAL_GEN, offset);
    this.rewind();
  }

  private take(records: JournalRecord[]): void {
    for (const record of records) {
      const line = Buffer.from(formatJournalRecord(record, this.options.agentName), 'utf8');
      this.endOffset += line.length + 1;
      this.entries.push({ line, cursor: record.__CURSOR, endOffset: this.endOffset });
      this.queuedBytes += line.length;
    }
    // Entries the hub already holds (sent before a restart whose acknowledgement was lost).
    if (this.heldTo > this.ackedOffset) this.acknowledge(JOURNAL_GEN, this.heldTo);
    this.flowControl();
    if (this.wantsRead()) this.onReadable();
  }

  /** Drops acknowledged entries from the front once they are half the array (each entry is copied O(1) times). */
  private compact(): void {
    if (this.head * 2 < this.entries.length) return;
    this.entries = this.entries.slice(this.head);
    this.next -= this.head;
    this.head = 0;
  }

  private flowControl(): void {
    if (!this.paused && this.queuedBytes >= this.options.maxQueuedBytes) {
      this.paused = true;
      this.reader?.pause();
    } else if (this.paused && this.queuedBytes < this.options.maxQueuedBytes / 2) {
      this.paused = false;
      this.reader?.resume();
    }
  }
}

/** The longest prefix of valid UTF-8 `text` of at most `max` bytes that ends on a character boundary. */
function utf8CutAt(text: Buffer, max: number): number {
  let cut = max;
  while (cut > 0 && (text[cut]! & 0xc0) === 0x80) cut -= 1;
  return cut;
}
