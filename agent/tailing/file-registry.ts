import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from '../../lib/logger.js';
import type { ResumePoint } from '../../protocol/index.js';
import { watchChanges, type ChangeKind } from './change-watcher.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import { DELETED_FINGERPRINT, inodeKey } from './file-identity.js';
import { openRegularFile, placeFile } from './file-opener.js';
import { FileTailer } from './file-tailer.js';
import { monotonicNow } from '../monotonic-clock.js';
import { ReadPacer } from './read-pacer.js';

/** The path of a file that keeps growing is still checked this often, in case it was replaced anyway. */
const BUSY_PATH_CHECK_INTERVAL_MS = 2_000;
/**
 * Busy files' change events are turned off only when paced reads are this far apart (2 busy files
 * at the default 100 reads/s), where events outnumber reads many times over (20 files written every
 * 10 ms: 2,000 events for 100 reads a second). With fewer busy files the events cost less, and they
 * still let a file that was quiet be read the moment it is written to.
 */
const QUIET_WATCH_MIN_SPACING_MS = 20;
/**
 * A followed path that disappeared (renamed away by rotation) is looked at again every
 * GONE_PATH_RECHECK_EVERY_MS for GONE_PATH_RECHECK_FOR_MS: the new file is usually created right
 * after the rename, or once the application reopens its log. Nothing else would notice it soon:
 * chokidar's poll sees a file renamed and re-created between two of its looks as a mere change, and
 * the rescan (rescanIntervalMs, 10 s by default) would leave the new file unread until then.
 */
const GONE_PATH_RECHECK_EVERY_MS = 50;
const GONE_PATH_RECHECK_FOR_MS = 3_000;

export interface RegistryOptions {
  fromStart: boolean;
  maxLineBytes: number;
  pollIntervalMs: number;
  rotatedIdleCloseMs: number;
  changeReadsPerSecond: number;
}

/**
 * The files being followed: which path points at which open file (by identity, never by path),
 * what happens when a path starts pointing elsewhere (rename+create rotation, deletion), and when a
 * rotated-away file is done with. Each open file is read as soon as the kernel reports a change to
 * it (see change-watcher.ts), so a line goes out within milliseconds of being written. Events only
 * hint, though: the poll every pollIntervalMs is what guarantees nothing is missed.
 */
export class FileRegistry {
  private readonly byPath = new Map<string, FileTailer>();
  private readonly byKey = new Map<string, FileTailer>();
  /** Round-robin order for reading, so one busy file cannot starve the others. */
  private order: FileTailer[] = [];
  private cursor = 0;
  private readonly opening = new Map<string, Promise<void>>();
  private readonly pathCheckedAt = new Map<string, number>();
  /** Where the hub already holds each fileId (welcome resume points of the current connection). */
  private resume = new Map<string, number>();
  private maxLineBytes: number;
  private readonly pacer: ReadPacer;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly goneTimers = new Set<NodeJS.Timeout>();
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly options: RegistryOptions,
    private readonly logger: Logger,
    /** Called when some file may have lines to send. */
    private readonly onReadable: () => void,
  ) {
    this.maxLineBytes = options.maxLineBytes;
    this.pacer = new ReadPacer(options.changeReadsPerSecond);
  }

  /** Open files, rotated-away ones still being read included. */
  get fileCount(): number {
    return this.byKey.size;
  }

  isOpen(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Follows `path` unless already followed. `existedAtStart` files start at their end (see placeFile). */
  add(path: string, existedAtStart: boolean): Promise<void> {
    if (this.stopped || this.byPath.has(path)) return Promise.resolve();
    const pending = this.opening.get(path);
    if (pending) return pending;
    const opening = this.open(path, existedAtStart, undefined)
      .catch((error: unknown) => this.logger.warn({ err: error, path }, 'cannot follow file'))
      .finally(() => this.opening.delete(path));
    this.opening.set(path, opening);
    return opening;
  }

  /** A file event says `path` appeared: follow it, or check whether it now is another file. */
  found(path: string): Promise<void> {
    return this.byPath.has(path) ? this.checkPathLogged(path) : this.add(path, false);
  }

  /** A file event says `path` is gone: stop following it by that name (the open file is read out). */
  lost(path: string): Promise<void> {
    return this.byPath.has(path) ? this.checkPathLogged(path) : Promise.resolve();
  }

  /** Checks what `path` points at now: the same file, nothing (deleted or renamed away), or a new file. */
  async checkPath(path: string): Promise<void> {
    if (this.stopped || this.opening.has(path)) return;
    const tailer = this.byPath.get(path);
    this.pathCheckedAt.set(path, monotonicNow());
    let current: BigIntStats | undefined;
    try {
      current = await stat(path, { bigint: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new Error(`stat ${path}`, { cause: error });
    }
    if (this.stopped || this.opening.has(path) || this.byPath.get(path) !== tailer) return;
    if (tailer && current && inodeKey(current) === tailer.key) return;
    if (tailer) this.detach(path, tailer, current ? 'replaced' : 'gone');
    if (!current?.isFile()) return;
    const opening = this.open(path, false, tailer)
      .catch((error: unknown) => this.logger.warn({ err: error, path }, 'cannot follow file'))
      .finally(() => this.opening.delete(path));
    this.opening.set(path, opening);
    await opening;
  }

  /** The next file with something to read, round robin; a new file waits until the one it replaced is read out. */
  nextReadable(): FileTailer | undefined {
    const count = this.order.length;
    for (let step = 0; step < count; step += 1) {
      const tailer = this.order[(this.cursor + step) % count] as FileTailer;
      const predecessor = tailer.predecessor;
      if (predecessor && (predecessor.closed || predecessor.paths.size > 0)) tailer.predecessor = undefined;
      else if (predecessor?.wantsRead()) continue;
      if (!tailer.wantsRead()) continue;
      this.cursor = (this.cursor + step + 1) % count;
      return tailer;
    }
    return undefined;
  }

  acknowledge(tailer: FileTailer, gen: string, endOffset: number): void {
    if (tailer.acknowledge(gen, endOffset) && !tailer.closed) this.store.set(tailer.checkpoint());
  }

  /** Every file goes back to its acknowledged offset (and takes the connection's line limit). */
  rewindAll(maxLineBytes?: number): void {
    if (maxLineBytes !== undefined) this.maxLineBytes = maxLineBytes;
    for (const tailer of this.order) tailer.rewind({ maxLineBytes: this.maxLineBytes });
  }

  setResumePoints(points: ResumePoint[]): void {
    this.resume = new Map(points.map((point) => [point.fileId, point.offset]));
    for (const tailer of this.order) this.applyResume(tailer);
  }

  startPolling(): void {
    const tick = (): void => {
      this.pollTimer = setTimeout(() => {
        this.polling = this.poll().finally(() => {
          this.polling = undefined;
          if (!this.stopped) tick();
        });
      }, this.options.pollIntervalMs);
    };
    tick();
  }

  /** Stops polling and opening files; what is open stays open until close(). */
  async stopPolling(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    for (const timer of this.goneTimers) clearTimeout(timer);
    this.goneTimers.clear();
    await this.polling;
    await Promise.allSettled(this.opening.values());
  }

  async close(): Promise<void> {
    await this.stopPolling();
    await Promise.all(this.order.map((tailer) => tailer.close()));
    this.order = [];
    this.byKey.clear();
    this.byPath.clear();
  }

  /**
   * The safety net under file events, every pollIntervalMs: each file gets a look (a read, see
   * FileTailer.requestLook) unless one is already scheduled, and the path of each file that stopped
   * growing is checked. A file renamed away, replaced or deleted stops growing (its writer moves on
   * to the new file), so busy files have their path checked only every BUSY_PATH_CHECK_INTERVAL_MS:
   * a stat per busy file per poll would be most of the agent's idle cost. Rotated-away files that
   * are done are closed.
   */
  async poll(now = monotonicNow()): Promise<void> {
    for (const tailer of [...this.order]) {
      if (!tailer.readyToClose(this.options.rotatedIdleCloseMs, now)) continue;
      const grew = await tailer.grewSinceLastRead().catch((error: unknown) => {
        this.logger.warn({ err: error, file: tailer.reportPath }, 'cannot check file');
        return true;
      });
      if (!grew) await this.closeTailer(tailer);
    }
    const due = [...this.byPath].filter(
      ([path, tailer]) => now - tailer.lastGrowthAt >= this.options.pollIntervalMs || now - (this.pathCheckedAt.get(path) ?? Number.NEGATIVE_INFINITY) >= BUSY_PATH_CHECK_INTERVAL_MS,
    );
    // All at once rather than one after another: the thread pool runs them side by side and the event
    // loop wakes once for many results, which is most of what a poll costs.
    await Promise.all(due.map(([path]) => this.checkPathLogged(path)));
    // A file whose paced read is already scheduled is read at its grid point anyway: a look now would
    // add a read, a frame and an ack off the grid for every busy file, every poll.
    for (const tailer of this.order) if (!tailer.lookScheduled) tailer.requestLook();
    this.onReadable();
  }

  private async open(path: string, existedAtStart: boolean, predecessor: FileTailer | undefined): Promise<void> {
    const opened = await openRegularFile(path);
    if (!opened) return;
    const key = inodeKey(opened.stats);
    if (this.alreadyFollowed(path, key)) return void (await opened.handle.close());
    const context = { store: this.store, fromStart: this.options.fromStart, maxLineBytes: this.maxLineBytes };
    const placement = await placeFile(opened, path, existedAtStart, context).catch(async (error: unknown) => {
      await opened.handle.close();
      throw new Error(`read the start of ${path}`, { cause: error });
    });
    // Another event may have opened the same file (under another name) while we were reading it.
    if (this.stopped || this.alreadyFollowed(path, key)) return void (await opened.handle.close());
    const tailer = new FileTailer({
      handle: opened.handle,
      ...placement,
      limits: { maxLineBytes: this.maxLineBytes },
      logger: this.logger,
      onIdentityChange: (changed) => this.store.set(changed.checkpoint()),
      onRead: (read, newBytes) => this.afterRead(read, newBytes),
    });
    // The file that was at this path before (renamed away or deleted) is read out first.
    tailer.predecessor = predecessor ?? this.order.find((other) => other.paths.size === 0 && other.reportPath === path);
    tailer.setChangeWatch(() =>
      watchChanges(
        opened.handle,
        path,
        (kind) => this.changed(tailer, kind),
        (error) => this.logger.debug({ err: error, path }, 'no change events for this file; the poll alone notices its growth'),
      ),
    );
    this.byKey.set(key, tailer);
    this.attach(path, tailer);
    this.applyResume(tailer);
    this.store.set(tailer.checkpoint());
    // No line of a newly followed file goes out before its checkpoint (and so its gen) is on disk:
    // an agent killed right after would otherwise not know the file on restart, start it at its end
    // and never send the lines in between. (A failed write is counted; following goes on regardless.)
    if (placement.from !== 'checkpoint') await this.store.flush();
    this.order.push(tailer);
    const { fileId, reportPath } = tailer;
    this.logger.info({ path, file: reportPath, fileId, offset: tailer.ackedOffset, size: placement.size, from: placement.from }, 'following file');
    this.onReadable();
  }

  /**
   * Whether `path` needs no new tailer: it is followed already, or its file is open under another
   * name. A renamed file that still matches is the same file: it is followed once, under its first name.
   */
  private alreadyFollowed(path: string, key: string): boolean {
    if (this.byPath.has(path)) return true;
    const existing = this.byKey.get(key);
    if (!existing) return false;
    this.attach(path, existing);
    this.logger.debug({ path, file: existing.reportPath, fileId: existing.fileId }, 'file is followed already under another name');
    return true;
  }

  /**
   * The kernel says the file changed: read it now, or as soon as the pacer allows (see ReadPacer).
   * Events come in bursts (one per write): each only marks the file and kicks the sender, which reads
   * one batch at a time, so a burst costs one read, not one per event.
   *
   * A file whose read has to wait while many are busy: its change events are turned off, and it is
   * read on a timer at the pacer's spacing for as long as each read finds more (afterRead). Until
   * then every write would still cost an event that only finds the read already scheduled (20 files
   * written every 10 ms: 2,000 events a second).
   */
  private changed(tailer: FileTailer, kind: ChangeKind): void {
    if (tailer.closed || this.stopped) return;
    // Renamed away (rotation) or gone: find out what its paths point at now, not at the next poll.
    if (kind === 'moved') for (const path of tailer.paths) void this.checkPathLogged(path);
    const delayMs = this.pacer.delayAfterChange(tailer, tailer.lastReadAt);
    if (delayMs === 0) {
      tailer.requestLook();
      return this.onReadable();
    }
    // Not after a rename: the events are what tells us about the next one, faster than the poll.
    if (kind === 'changed' && this.pacer.spacingMs >= QUIET_WATCH_MIN_SPACING_MS) tailer.pauseChangeWatch();
    tailer.lookLater(delayMs, this.onReadable);
  }

  /**
   * While a busy file's change events are off: a read that found more schedules the next paced one;
   * a read that found nothing (or one after most files went quiet) turns the events back on and
   * looks once more, for what may have been written between that read and the watch being set up
   * again.
   *
   * With its events off, a busy file renamed away is noticed by the directory watch or, at the
   * latest, by the poll's busy-path check (BUSY_PATH_CHECK_INTERVAL_MS); truncation by the next read.
   */
  private afterRead(tailer: FileTailer, newBytes: number): void {
    this.pacer.recordRead(tailer, newBytes, tailer.lastReadAt);
    if (!tailer.changeWatchIsPaused || tailer.closed || this.stopped) return;
    // The spacing is the file's own (it follows how fast the file is written): ask for it first.
    const delayMs = newBytes === 0 ? 0 : this.pacer.delayAfterChange(tailer, tailer.lastReadAt);
    if (newBytes === 0 || this.pacer.spacingMs < QUIET_WATCH_MIN_SPACING_MS) {
      tailer.resumeChangeWatch();
      tailer.requestLook();
      return this.onReadable();
    }
    if (delayMs > 0) return tailer.lookLater(delayMs, this.onReadable);
    tailer.requestLook();
    this.onReadable();
  }

  private checkPathLogged(path: string): Promise<void> {
    return this.checkPath(path).catch((error: unknown) => this.logger.warn({ err: error, path }, 'cannot check path'));
  }

  private attach(path: string, tailer: FileTailer): void {
    this.byPath.set(path, tailer);
    tailer.paths.add(path);
  }

  private detach(path: string, tailer: FileTailer, why: 'gone' | 'replaced'): void {
    if (this.byPath.get(path) === tailer) this.byPath.delete(path);
    this.pathCheckedAt.delete(path);
    tailer.paths.delete(path);
    if (tailer.paths.size === 0) {
      const message = why === 'gone' ? 'file renamed away or deleted; reading it to its end' : 'file rotated; reading the old one to its end';
      this.logger.info({ path, file: tailer.reportPath, fileId: tailer.fileId }, message);
    }
    if (why === 'gone') this.recheckGone(path, 0);
  }

  /** Looks for a new file at a path that disappeared, for a while (GONE_PATH_RECHECK_FOR_MS). */
  private recheckGone(path: string, attempt: number): void {
    if ((attempt + 1) * GONE_PATH_RECHECK_EVERY_MS > GONE_PATH_RECHECK_FOR_MS || this.stopped) return;
    const timer = setTimeout(() => {
      this.goneTimers.delete(timer);
      if (this.stopped || this.byPath.has(path)) return;
      void this.checkPathLogged(path).then(() => {
        if (!this.byPath.has(path) && !this.opening.has(path)) this.recheckGone(path, attempt + 1);
      });
    }, GONE_PATH_RECHECK_EVERY_MS);
    this.goneTimers.add(timer);
  }

  private applyResume(tailer: FileTailer): void {
    const offset = this.resume.get(tailer.fileId);
    if (offset !== undefined && tailer.resumeAt(offset)) this.store.set(tailer.checkpoint());
  }

  private async closeTailer(tailer: FileTailer): Promise<void> {
    this.byKey.delete(tailer.key);
    this.order = this.order.filter((other) => other !== tailer);
    this.cursor = 0;
    // Once closed, a deleted file's inode may go to a new file whose first bytes match a short
    // fingerprint (a partial line's). Its entry stays, for its path (see placeFile), matching no file.
    if (await tailer.isDeleted().catch(() => false)) this.store.set({ ...tailer.checkpoint(), ...DELETED_FINGERPRINT });
    await tailer.close();
    this.pacer.forget(tailer);
    this.logger.info({ file: tailer.reportPath, fileId: tailer.fileId, offset: tailer.ackedOffset }, 'closed file that was read to its end');
  }
}
