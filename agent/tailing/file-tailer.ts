import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../../lib/logger.js';
import type { ChangeWatcher } from './change-watcher.js';
import type { Checkpoint } from '../state/checkpoint-store.js';
import { checkContents } from './content-check.js';
import { joinEvents, type JoinResult, type JoinSettings } from '../events/event-joiner.js';
import type { EventRule } from '../events/event-rules.js';
import type { LineDecoder } from '../formats/line-decoder.js';
import { fileIdOf, fingerprintOf, FINGERPRINT_MAX_BYTES, inodeKey, newGeneration, type FileIdentity } from './file-identity.js';
import { LineEnds, LineSplitter, type SplitLimits, type SplitResult } from './line-splitter.js';
import { monotonicNow } from '../monotonic-clock.js';
import { PositionalReader } from './positional-reader.js';
import { TAIL_CHECK_BYTES, TailGuard } from './tail-guard.js';

/**
 * The smallest buffer a read may be given: the look-back bytes, then a whole maximal line and its
 * "\r\n", so a full buffer always holds a line end or proves the line too long. With less, an
 * over-long line would never be found too long and its file would be read again and again.
 */
export function minReadBufferBytes(maxLineBytes: number): number {
  return TAIL_CHECK_BYTES + maxLineBytes + 2;
}


/** Lines read from one file, ready to be framed. */
export interface ReadBatch {
  tailer: FileTailer;
  file: string;
  fileId: string;
  gen: string;
  offset: number;
  endOffset: number;
  body: Buffer;
  lineCount: number;
  /** Lines of the file the body stands for, when not one per body line (events, decoded container lines). */
  rawLines?: number | undefined;
  truncated: number[];
  droppedBytes: number;
  ts: number;
}

export interface TailerInit {
  handle: FileHandle;
  /** The path lines are reported under: the one the agent first knew this file by. */
  reportPath: string;
  identity: FileIdentity;
  /** Where to start reading; a line boundary, already acknowledged (or never to be sent). */
  offset: number;
  size: number;
  limits: SplitLimits;
  logger: Logger;
  /** The gen or fingerprint changed: the caller updates the checkpoint. */
  onIdentityChange: (tailer: FileTailer) => void;
  /** After each read that got as far as the file's contents: how many bytes it found that no read had seen before. */
  onRead?: ((tailer: FileTailer, newBytes: number) => void) | undefined;
  /** How the file's lines are written (CRI, Docker); undefined: plain text. */
  decoder?: LineDecoder | undefined;
  /** Multi-line events: the file's rule (undefined: its lines are not joined) and the flush time. */
  events?: { rule: EventRule | undefined; flushMs: number } | undefined;
  /** A look the tailer asked for itself (to flush a held-back event) is due. */
  onLookDue?: (() => void) | undefined;
}

/**
 * Follows one open file by byte offset. Three offsets move forward through it: `sent` (end of the last
 * line handed out in a batch), `acked` (end of the last line the hub acknowledged) and the read
 * position (past `sent` while an over-long line is being skipped). A disconnect rewinds both to
 * `acked`, so unacknowledged lines are read again from disk rather than kept in memory.
 */
export class FileTailer {
  readonly reportPath: string;
  readonly key: string;
  /** Followed paths that point at this file now; empty once it was renamed away or deleted. */
  readonly paths = new Set<string>();
  /** The file that used to be at this file's path: it is read to its end before this one is read. */
  predecessor: FileTailer | undefined;
  identity: FileIdentity;
  fileId: string;
  closed = false;
  /** When the file's size last changed (or it was opened), on the monotonic clock (monotonicNow). */
  lastGrowthAt = monotonicNow();
  /** When the last read started (monotonicNow); change events are paced from it (see ReadPacer). */
  lastReadAt = Number.NEGATIVE_INFINITY;
  /** When the registry's poll last looked at the file (monotonicNow). */
  lastPolledAt = monotonicNow();

  private readonly handle: FileHandle;
  private readonly reader: PositionalReader;
  private readonly splitter: LineSplitter;
  private readonly logger: Logger;
  private readonly onIdentityChange: (tailer: FileTailer) => void;
  private readonly onRead: ((tailer: FileTailer, newBytes: number) => void) | undefined;
  private readOffset: number;
  private sentOffset: number;
  private acked: number;
  /** Everything before this was looked at; nothing more can be sent until the file grows past it. */
  private scannedTo: number;
  private size: number;
  /** The file is closing for good: its partial last line is sent as if it had a newline. */
  private finalRead = false;
  /** A change event, the poll or a rewind asked for a look: read once even if the known size says nothing is new. */
  private lookPending = true;
  private busy: Promise<unknown> | undefined;
  private reading = false;
  /** After a failed read the file is left alone until then, instead of retried in a tight loop. */
  private suspendedUntil = 0;
  private readonly tail = new TailGuard();
  /**
   * Set by a rewind: the next read first compares the file's first bytes with its fingerprint. A
   * rewind forgets the bytes the tail guard had remembered (they were before the read offset, not
   * before the acknowledged one), and the '\n' it falls back to proves little: a file truncated and
   * rewritten past the old offset can have a line end there by chance (lines of 24 bytes
   * acknowledged up to 480, rewritten in lines of 40 bytes).
   */
  private headUnchecked = false;
  /** The kernel's change notifications for this file, released when the file is closed. */
  private changeWatcher: ChangeWatcher | undefined;
  /** Sets up the change watch (again); see pauseChangeWatch. */
  private armChangeWatch: (() => ChangeWatcher | undefined) | undefined;
  private changeWatchPaused = false;
  /** A look asked for later (lookLater), cancelled when the file is closed. */
  private lookTimer: NodeJS.Timeout | undefined;
  /** How lines become events; undefined when every line is its own (plain text, multi-line off). */
  private readonly join: JoinSettings | undefined;
  private readonly ruleMaxBytes: number;
  private readonly flushMs: number;
  private readonly onLookDue: () => void;
  private readonly lineEnds = new LineEnds();
  private limits: SplitLimits;
  /**
   * The look that sends a held-back event once the file stopped growing. Its own timer: lookTimer
   * means a paced read is already scheduled, which would keep change events and the poll from
   * reading the lines that end the event.
   */
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(init: TailerInit) {
    this.handle = init.handle;
    this.reader = new PositionalReader(init.handle, (tookMs) =>
      init.logger.info({ file: init.reportPath, tookMs: Math.round(tookMs) }, 'slow read; reading this file through the thread pool from now on'),
    );
    this.reportPath = init.reportPath;
    this.identity = init.identity;
    this.key = inodeKey(init.identity);
    this.fileId = fileIdOf(init.identity);
    this.readOffset = this.sentOffset = this.acked = this.scannedTo = init.offset;
    this.size = init.size;
    this.splitter = new LineSplitter(init.limits);
    this.limits = init.limits;
    this.logger = init.logger;
    this.onIdentityChange = init.onIdentityChange;
    this.onRead = init.onRead;
    const rule = init.events?.rule;
    const decoder = init.decoder?.format === 'plain' ? undefined : init.decoder;
    this.join = rule === undefined && decoder === undefined ? undefined : { matcher: rule?.matcher(), maxLines: rule?.maxLines ?? Number.POSITIVE_INFINITY, maxBytes: 0, decoder };
    this.ruleMaxBytes = rule?.maxBytes ?? Number.POSITIVE_INFINITY;
    this.flushMs = init.events?.flushMs ?? 0;
    this.onLookDue = init.onLookDue ?? (() => {});
  }

  get ackedOffset(): number {
    return this.acked;
  }

  /** Something may be there to read (and send). */
  wantsRead(): boolean {
    if (this.closed || (this.suspendedUntil > 0 && monotonicNow() < this.suspendedUntil)) return false;
    return this.lookPending || this.size > this.scannedTo || (this.finalRead && (this.readOffset < this.size || this.splitter.holding));
  }

  /**
   * A change event or the poll asks for a look at the file: the next read finds out whether it grew.
   * A read that finds nothing costs what an fstat would, and one that finds lines saves the fstat
   * that would have preceded it. Many events before the read starts still make one read.
   */
  requestLook(): void {
    this.lookPending = true;
  }

  /** A look is due on a timer (lookLater). */
  get lookScheduled(): boolean {
    return this.lookTimer !== undefined;
  }

  /**
   * Asks for a look in `delayMs`, then calls `onDue`. Changes reported meanwhile need nothing more:
   * that one read takes whatever was written until then.
   */
  lookLater(delayMs: number, onDue: () => void): void {
    if (this.lookTimer || this.closed) return;
    this.lookTimer = setTimeout(() => {
      this.lookTimer = undefined;
      this.requestLook();
      onDue();
    }, delayMs);
  }

  /**
   * Sets up the file's change watch with `arm` (again after a pause); close() releases it along with
   * the file.
   */
  setChangeWatch(arm: () => ChangeWatcher | undefined): void {
    this.armChangeWatch = arm;
    this.changeWatchPaused = false;
    if (!this.closed) this.changeWatcher = arm();
  }

  /**
   * Stops change events while the file is read on a timer (see FileRegistry.changed): a writer makes
   * one event per write, and each costs the agent CPU even when it only finds a read already
   * scheduled.
   */
  pauseChangeWatch(): void {
    if (this.changeWatchPaused || this.armChangeWatch === undefined) return;
    this.changeWatchPaused = true;
    this.changeWatcher?.close();
    this.changeWatcher = undefined;
  }

  /** Change events again, once the file stopped growing. */
  resumeChangeWatch(): void {
    if (!this.changeWatchPaused || this.closed) return;
    this.changeWatchPaused = false;
    this.changeWatcher = this.armChangeWatch?.();
  }

  get changeWatchIsPaused(): boolean {
    return this.changeWatchPaused;
  }

  /** The kernel reports this file's changes right now: a watch is set up, not paused, not failed. */
  get changeWatchIsLive(): boolean {
    return this.changeWatcher !== undefined && !this.changeWatchPaused;
  }

  /** The change watch failed (it closed itself): the poll alone notices this file's growth. */
  changeWatchFailed(): void {
    this.changeWatcher = undefined;
  }

  /** The size the last read (or fstat) found. */
  get knownSize(): number {
    return this.size;
  }

  /**
   * Whether the file, still followed by name, can be closed until it changes: nothing to read or
   * being read, everything sent acknowledged, and no growth for `idleMs`. A partial last line is not
   * sent; it is read again from the acknowledged offset when the file is opened again.
   */
  idleFor(idleMs: number, now = monotonicNow()): boolean {
    if (this.paths.size !== 1 || this.reading || this.lookTimer !== undefined || this.flushTimer !== undefined || this.wantsRead()) return false;
    return now - this.lastGrowthAt >= idleMs && this.acked >= this.sentOffset;
  }

  /** A read failed: leave the file alone until `until` (monotonicNow). */
  suspend(until: number): void {
    this.suspendedUntil = until;
  }

  /**
   * Reads the next batch into `buffer` (reused by the caller, at least minReadBufferBytes long).
   * Undefined when no complete line was found.
   */
  readBatch(buffer: Buffer, maxBodyBytes: number): Promise<ReadBatch | undefined> {
    const read = this.read(buffer, maxBodyBytes);
    this.reading = true;
    // close() waits for this; the caller of readBatch handles the read's own failure.
    this.busy = read.then(
      () => undefined,
      () => undefined,
    );
    void this.busy.then(() => {
      this.reading = false;
    });
    return read;
  }

  private async read(buffer: Buffer, maxBodyBytes: number): Promise<ReadBatch | undefined> {
    this.lookPending = false;
    this.lastReadAt = monotonicNow();
    if (this.headUnchecked) {
      this.headUnchecked = false;
      const offset = this.readOffset;
      await this.replaceIfHeadChanged();
      // A new generation starts over at 0; the look it asked for reads it.
      if (this.closed || this.readOffset !== offset) return undefined;
    }
    const start = this.readOffset;
    // The bytes just before us are read again along with the new ones (see TailGuard); if they
    // changed, checkContents() sorts out what happened to the file.
    const expected = this.tail.expectedBefore(start, !this.splitter.holding);
    const lookBack = expected.length;
    const bytesRead = await this.reader.read(buffer, start - lookBack);
    if (this.closed || this.readOffset !== start) return undefined;
    const suspicious = lookBack > 0 ? bytesRead < lookBack || !buffer.subarray(0, lookBack).equals(expected) : start > 0 && bytesRead === 0;
    if (suspicious) {
      await this.checkContents(true);
      if (this.closed || this.readOffset !== start) return undefined;
    }
    const chunk = buffer.subarray(lookBack, Math.max(lookBack, bytesRead));
    const end = start + chunk.length;
    if (end > this.size) {
      this.size = end;
      this.lastGrowthAt = monotonicNow();
      // A file first seen shorter than a full fingerprint gets a wider one as it grows.
      if (this.identity.fingerprintLength < FINGERPRINT_MAX_BYTES) await this.checkContents(false);
      if (this.closed || this.readOffset !== start) return undefined;
    } else if (bytesRead < buffer.length && bytesRead >= lookBack) {
      // The read reached the end of the file, so that is its size now. A larger size kept from before
      // a truncation would leave wantsRead() true with nothing to read, and the sender would read
      // again and again without ever yielding to the event loop.
      this.size = end;
    }
    const atEnd = bytesRead < buffer.length;
    const final = this.finalRead && atEnd;
    const wasHolding = this.splitter.holding;
    // With events on, a body always has room for one whole event (a little past the window, as a long line may be).
    const bodyLimit = this.join ? Math.max(maxBodyBytes, this.limits.maxLineBytes) : maxBodyBytes;
    const split = this.splitter.split(chunk, bodyLimit, final, this.join ? this.lineEnds : undefined);
    const events = this.join && split.lineCount > 0 ? this.joinLines(split, chunk.length, atEnd, final, wasHolding) : undefined;
    const consumedBytes = events?.pending ? events.keptBytes : split.consumedBytes;
    this.readOffset = start + consumedBytes;
    this.tail.remember(buffer, lookBack + consumedBytes, this.readOffset);
    const newBytes = Math.max(0, end - this.scannedTo);
    this.scannedTo = split.bodyFull ? this.readOffset : end;
    // A full buffer means more may be right behind it: read on at once, not at the next poll
    // (one buffer per poll interval would cap a file at about 0.5 MB/s with the defaults).
    if (bytesRead === buffer.length) this.lookPending = true;
    if (events?.pending) {
      // Read again from the held-back event's start, with whatever follows it by then.
      this.splitter.reset();
      if (atEnd) this.flushLater(Math.max(1, this.flushMs - (monotonicNow() - this.lastGrowthAt)));
    }
    this.onRead?.(this, newBytes);
    const lineCount = events ? events.joined.eventCount : split.lineCount;
    if (lineCount === 0) return undefined;
    const batch: ReadBatch = {
      tailer: this,
      file: this.reportPath,
      fileId: this.fileId,
      gen: this.identity.gen,
      offset: this.sentOffset,
      endOffset: start + (events?.pending ? events.keptBytes : split.endBytes),
      body: events ? events.joined.body : split.body,
      lineCount,
      rawLines: events && (events.joined.consumedLines !== lineCount || this.join?.decoder !== undefined) ? events.joined.consumedLines : undefined,
      truncated: events ? events.joined.truncated : split.truncated,
      droppedBytes: events?.pending ? events.keptDropped : split.droppedBytes,
      ts: Date.now(),
    };
    this.sentOffset = batch.endOffset;
    return batch;
  }

  /**
   * Joins the split lines into events. The last event is held back while it may still grow: the
   * file is read again from its start, so offsets (and checkpoints) only ever fall between events.
   * It goes out once the file has not grown for the flush time, on the final read, or at its
   * maximum size; one too big for a read (or begun by an over-long line's head the splitter held)
   * is cut where the read ends.
   */
  private joinLines(split: SplitResult, chunkBytes: number, atEnd: boolean, final: boolean, wasHolding: boolean): { joined: JoinResult; pending: boolean; keptBytes: number; keptDropped: number } {
    const settings = this.join as JoinSettings;
    settings.maxBytes = Math.min(this.ruleMaxBytes, this.limits.maxLineBytes);
    const flushDue = atEnd && monotonicNow() - this.lastGrowthAt >= this.flushMs;
    const moreFollows = split.bodyFull || !atEnd || split.consumedBytes < chunkBytes;
    const input = { body: split.body, truncated: split.truncated, ended: final || flushDue, moreFollows };
    let joined = joinEvents(input, settings);
    if (joined.pending && joined.consumedLines === 0 && (split.bodyFull || !atEnd || wasHolding)) joined = joinEvents({ ...input, ended: true }, settings);
    const kept = joined.consumedLines;
    const keptBytes = kept === 0 ? 0 : (this.lineEnds.ends[kept - 1] as number);
    const keptDropped = kept === 0 ? 0 : (this.lineEnds.dropped[kept - 1] as number);
    return { joined, pending: joined.pending, keptBytes, keptDropped };
  }

  /** A look in `delayMs`, to send a held-back event if the file has not grown by then. */
  private flushLater(delayMs: number): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.requestLook();
      this.onLookDue();
    }, delayMs);
  }

  /** The hub holds this file's lines up to `endOffset`. False when it is old news (or another generation's). */
  acknowledge(gen: string, endOffset: number): boolean {
    if (gen !== this.identity.gen || endOffset <= this.acked) return false;
    this.acked = endOffset;
    return true;
  }

  /** Forgets everything sent but not acknowledged; it is read again from the file. */
  rewind(limits?: SplitLimits): void {
    if (limits) this.limits = limits;
    this.readOffset = this.sentOffset = this.scannedTo = this.acked;
    this.tail.forget();
    this.headUnchecked = this.acked > 0;
    this.splitter.reset(limits);
    this.lookPending = true;
  }

  /**
   * The hub already holds this file up to `offset` (welcome resume point). True if that moved us on.
   * A resume point past the end of the file (a confused hub) shows at the next read, which then
   * treats the file as truncated and starts it over under a new generation.
   */
  resumeAt(offset: number): boolean {
    if (offset <= this.acked) return false;
    this.acked = offset;
    this.rewind();
    return true;
  }

  /**
   * Whether the file, renamed away or deleted, can be closed: read to its end, idle for `idleMs`, and
   * all of it acknowledged. A partial last line is sent first, as if its newline had arrived.
   */
  readyToClose(idleMs: number, now = monotonicNow()): boolean {
    if (this.paths.size > 0 || this.reading || this.wantsRead() || now - this.lastGrowthAt < idleMs) return false;
    if (this.readOffset < this.size || this.splitter.holding) {
      this.finalRead = true;
      return false;
    }
    return this.acked >= this.sentOffset;
  }

  /**
   * One fstat right before closing: what the last read saw may be a poll interval old, and a writer
   * that still has the file open may have added lines since. True (and the file is read again) if so.
   */
  async grewSinceLastRead(now = monotonicNow()): Promise<boolean> {
    const { size } = await this.handle.stat();
    if (size === this.size) return false;
    this.size = Math.max(size, this.size);
    this.lastGrowthAt = now;
    this.lookPending = true;
    return true;
  }

  /** Whether the file has no name left (deleted). */
  async isDeleted(): Promise<boolean> {
    return (await this.handle.stat()).nlink === 0;
  }

  checkpoint(): Omit<Checkpoint, 'seenAt'> {
    return { path: this.reportPath, ...this.identity, offset: this.acked };
  }

  /** Closes the file once any read in progress has finished. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The watch goes before the descriptor: once the descriptor is closed its number may be reused.
    this.changeWatcher?.close();
    this.changeWatcher = undefined;
    clearTimeout(this.lookTimer);
    clearTimeout(this.flushTimer);
    await this.busy;
    await this.handle.close();
  }

  /**
   * Compares the open file with what we know of it (see checkContents). `withSize` when the bytes
   * before the read offset changed: the file shrank, was rewritten, or the offset was never a line
   * end (started at the end of a file whose last line has no newline yet).
   */
  private async checkContents(withSize: boolean): Promise<void> {
    const check = await checkContents(this.handle, this.identity, withSize ? this.readOffset : undefined);
    if (this.closed) return;
    if (check.kind === 'replaced') {
      this.newGeneration(check.head, withSize ? check.size : this.size, check.reason);
    } else if (check.kind === 'widened') {
      this.identity = { ...this.identity, ...check.fingerprint };
      this.onIdentityChange(this);
    }
  }

  /**
   * After a rewind: a new generation if the file's first bytes no longer match the fingerprint. A
   * match changes nothing, not even a fingerprint taken while the file was short: widening it here
   * would vouch for bytes no read has checked (a state file from when the file was empty, a resume
   * point in the middle of rewritten contents), and the read's own check would then pass them.
   */
  private async replaceIfHeadChanged(): Promise<void> {
    const check = await checkContents(this.handle, this.identity);
    if (this.closed) return;
    // The size known from before the rewind may be that of the contents replaced; the head's length
    // is a floor the next read corrects.
    if (check.kind === 'replaced') this.newGeneration(check.head, check.size, check.reason);
  }

  /** Starts over at 0 under a new gen: the bytes we had read are gone, so offsets start afresh. */
  private newGeneration(head: Buffer, size: number, reason: string): void {
    const previous = this.fileId;
    this.identity = { ...this.identity, ...fingerprintOf(head), gen: newGeneration() };
    this.fileId = fileIdOf(this.identity);
    this.acked = 0;
    this.size = size;
    this.finalRead = false;
    this.rewind();
    this.logger.info({ file: this.reportPath, previousFileId: previous, fileId: this.fileId, reason }, 'following file from its start under a new generation');
    this.onIdentityChange(this);
  }
}
