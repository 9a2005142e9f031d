import { statSync, type BigIntStats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../lib/logger.js';
import type { ResumePoint } from '../../protocol/index.js';
import { watchChanges, watchDirectory, type ChangeKind, type ChangeWatcher } from './change-watcher.js';
import type { CheckpointStore } from '../state/checkpoint-store.js';
import type { EventRules } from '../events/event-rules.js';
import { decoderFor, type FormatChooser } from '../formats/format-detect.js';
import { DELETED_FINGERPRINT, fileIdOf, inodeKey } from './file-identity.js';
import { openRegularFile, placeFile, type OpenedFile, type Placement } from './file-opener.js';
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
 * discovery sees a file renamed and re-created between two of its looks as no change at all, and
 * the rescan (rescanIntervalMs, 10 s by default) would leave the new file unread until then.
 * Meanwhile its directory is watched, so the new file is opened as soon as it is created; the
 * re-checks are for where the directory cannot be watched, or its events are lost.
 */
const GONE_PATH_RECHECK_EVERY_MS = 50;
const GONE_PATH_RECHECK_FOR_MS = 3_000;
/**
 * A file whose change watch is live and that has not grown for a poll interval is looked at (a
 * read and a stat of its path) only this often: its watch reports writes, truncation, renames and
 * deletion, and a look per idle file per second was most of an idle agent's cost.
 */
const WATCHED_QUIET_POLL_MS = 10_000;

/**
 * A file closed after idling (closeIdleAfterMs): its checkpoint (identity and offset) stays in the
 * store, and a watch on its directory reopens it when it (or its name) changes.
 */
interface ClosedFile {
  path: string;
  dir: string;
  key: string;
  /** Size and modification time when closed, for the poll where the directory cannot be watched. */
  size: bigint;
  mtimeNs: bigint;
}

/**
 * One inotify watch per directory holding closed files or a path that vanished in a rotation, and
 * the names it reported since it was last handled.
 */
interface DirectoryWatch {
  watcher: ChangeWatcher | undefined;
  /** Closed files and vanished paths in the directory. */
  users: number;
  /** Names to look at (undefined name: events were lost, every closed file of the directory). */
  pending: Set<string | undefined>;
}

export interface RegistryOptions {
  fromStart: boolean;
  maxLineBytes: number;
  pollIntervalMs: number;
  rotatedIdleCloseMs: number;
  changeReadsPerSecond: number;
  /** A file read to its end and idle this long is closed until it changes; 0: never. */
  closeIdleAfterMs: number;
  /** Each file's line format (agent/formats/); undefined: plain text. */
  formats?: FormatChooser | undefined;
  /** Multi-line events; undefined: every line is sent on its own. */
  eventRules?: EventRules | undefined;
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
  /** Files closed after idling, by path and by identity (inodeKey). */
  private readonly closedByPath = new Map<string, ClosedFile>();
  private readonly closedByKey = new Map<string, ClosedFile>();
  /** When the poll last looked at every closed file, watched directory or not. */
  private closedPolledAt = monotonicNow();
  private readonly dirWatches = new Map<string, DirectoryWatch>();
  /** Paths that vanished and are looked for again (recheckGone), with the directory watched meanwhile. */
  private readonly goneDirs = new Map<string, string>();
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

  /** Files closed after idling, reopened when they change. */
  get closedIdleCount(): number {
    return this.closedByPath.size;
  }

  /** Whether the file is followed: open, or closed after idling (its checkpoint is current either way). */
  isOpen(key: string): boolean {
    return this.byKey.has(key) || this.closedByKey.has(key);
  }

  /** Follows `path` unless already followed. `existedAtStart` files start at their end (see placeFile). */
  add(path: string, existedAtStart: boolean): Promise<void> {
    if (this.stopped || this.byPath.has(path) || this.closedByPath.has(path)) return Promise.resolve();
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
    if (this.closedByPath.has(path)) return this.reopen(path);
    return this.byPath.has(path) ? this.checkPathLogged(path) : this.add(path, false);
  }

  /** A file event says `path` is gone: stop following it by that name (the open file is read out). */
  lost(path: string): Promise<void> {
    if (this.closedByPath.has(path)) return this.reopen(path);
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
    for (const watch of this.dirWatches.values()) watch.watcher?.close();
    this.dirWatches.clear();
    this.goneDirs.clear();
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
    const closeIdleMs = this.options.closeIdleAfterMs;
    if (closeIdleMs > 0) {
      const idle = this.order.filter((tailer) => tailer.idleFor(closeIdleMs, now));
      await Promise.all(idle.map((tailer) => this.closeIdle(tailer)));
      // Once for all of them: thousands of files idle out in the same poll.
      if (idle.length > 0) {
        this.order = this.order.filter((tailer) => !tailer.closed);
        this.cursor = 0;
      }
    }
    const looked = new Set(this.order.filter((tailer) => this.pollLooksAt(tailer, now)));
    const due = [...this.byPath].filter(
      ([path, tailer]) =>
        looked.has(tailer) && (now - tailer.lastGrowthAt >= this.options.pollIntervalMs || now - (this.pathCheckedAt.get(path) ?? Number.NEGATIVE_INFINITY) >= BUSY_PATH_CHECK_INTERVAL_MS),
    );
    // All at once rather than one after another: the thread pool runs them side by side and the event
    // loop wakes once for many results, which is most of what a poll costs.
    await Promise.all([...due.map(([path]) => this.checkPathLogged(path)), this.pollClosedFiles()]);
    // A file whose paced read is already scheduled is read at its grid point anyway: a look now would
    // add a read, a frame and an ack off the grid for every busy file, every poll.
    for (const tailer of looked) {
      tailer.lastPolledAt = now;
      if (!tailer.lookScheduled) tailer.requestLook();
    }
    this.onReadable();
  }

  /** Whether this poll looks at the file: always, unless its watch is live and it is quiet (WATCHED_QUIET_POLL_MS). */
  private pollLooksAt(tailer: FileTailer, now: number): boolean {
    if (!tailer.changeWatchIsLive || now - tailer.lastGrowthAt < this.options.pollIntervalMs) return true;
    return now - tailer.lastPolledAt >= WATCHED_QUIET_POLL_MS;
  }

  /**
   * Opens `path` and follows it under that name, or, with `attach` false, reads a closed file found
   * renamed away (to its end, then it is closed as any rotated-away file).
   */
  private async open(path: string, existedAtStart: boolean, predecessor: FileTailer | undefined, attach = true): Promise<void> {
    const opened = await openRegularFile(path);
    if (!opened) return;
    // Closures below keep this scope alive as long as the file is followed: they name the handle,
    // not `opened`, whose stats would stay in memory with it.
    const { handle } = opened;
    const key = inodeKey(opened.stats);
    const followed = (): boolean => (attach ? this.alreadyFollowed(path, key) : this.byKey.has(key));
    if (followed()) return void (await handle.close());
    const formats = this.options.formats;
    const context = { store: this.store, fromStart: this.options.fromStart, maxLineBytes: this.maxLineBytes, formatOf: formats && ((reportPath: string, head: Buffer) => formats.formatOfHead(reportPath, head)) };
    const placement = await placeFile(opened, path, existedAtStart, context).catch(async (error: unknown) => {
      await handle.close();
      throw new Error(`read the start of ${path}`, { cause: error });
    });
    // Another event may have opened the same file (under another name) while we were reading it.
    if (this.stopped || followed()) return void (await handle.close());
    if (attach && existedAtStart && this.idleAtStart(opened.stats, placement)) return this.startClosed(path, opened, placement);
    const tailer = new FileTailer({
      handle,
      ...placement,
      limits: { maxLineBytes: this.maxLineBytes },
      logger: this.logger,
      onIdentityChange: (changed) => this.store.set(changed.checkpoint()),
      onRead: (read, newBytes) => this.afterRead(read, newBytes),
      events: this.options.eventRules && { rule: this.options.eventRules.forPath(placement.reportPath), flushMs: this.options.eventRules.config.flushMs },
      onLookDue: this.onReadable,
      decoder: decoderFor(placement.format),
    });
    // The file that was at this path before (renamed away or deleted) is read out first.
    tailer.predecessor = predecessor ?? this.order.find((other) => other.paths.size === 0 && other.reportPath === path);
    if (tailer.predecessor) this.pacer.inheritPace(tailer, tailer.predecessor);
    tailer.setChangeWatch(() =>
      watchChanges(
        handle,
        path,
        (kind) => this.changed(tailer, kind),
        (error) => {
          tailer.changeWatchFailed();
          this.logger.debug({ err: error, path }, 'no change events for this file; the poll alone notices its growth');
        },
      ),
    );
    this.forgetClosed(this.closedByKey.get(key));
    this.byKey.set(key, tailer);
    if (attach) this.attach(path, tailer);
    this.applyResume(tailer);
    // No line of a newly followed file goes out before a restarted agent could read its checkpoint
    // (and so its gen): killed right after, it would otherwise not know the file, start it at its end
    // and never send the lines in between, or send them again under a new gen. (A failed write is
    // logged; following goes on regardless.)
    if (placement.from === 'checkpoint') this.store.set(tailer.checkpoint());
    else await this.store.setVisible(tailer.checkpoint());
    this.order.push(tailer);
    const { fileId, reportPath } = tailer;
    this.logger.info({ path, file: reportPath, fileId, offset: tailer.ackedOffset, size: placement.size, from: placement.from, ...(placement.format === 'plain' ? {} : { format: placement.format }) }, 'following file');
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
    // A quiet file's path is checked on any event too: deleted, or replaced by a file renamed over
    // it, the file reports only an attribute change, and the poll looks at quiet files seldom.
    const quiet = monotonicNow() - tailer.lastGrowthAt >= this.options.pollIntervalMs;
    if (kind === 'moved' || quiet) for (const path of tailer.paths) void this.checkPathLogged(path);
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
    // A change that brought nothing to read (an attribute or link count: deleted, or replaced by a
    // rename over it) may mean the path points elsewhere now; the poll looks at quiet files seldom.
    if (newBytes === 0 && tailer.changeWatchIsLive) for (const path of tailer.paths) void this.checkPathLogged(path);
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
    this.forgetClosed(this.closedByPath.get(path));
    this.forgetGone(path);
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

  /**
   * Looks for a new file at a path that disappeared, for a while (GONE_PATH_RECHECK_FOR_MS), with its
   * directory watched meanwhile (see directoryEvents).
   */
  private recheckGone(path: string, attempt: number): void {
    if ((attempt + 1) * GONE_PATH_RECHECK_EVERY_MS > GONE_PATH_RECHECK_FOR_MS || this.stopped) return this.forgetGone(path);
    if (attempt === 0 && !this.goneDirs.has(path)) {
      const dir = dirname(path);
      this.goneDirs.set(path, dir);
      this.watchDirectory(dir);
    }
    const timer = setTimeout(() => {
      this.goneTimers.delete(timer);
      if (this.stopped || this.byPath.has(path)) return this.forgetGone(path);
      void this.checkPathLogged(path).then(() => {
        if (!this.byPath.has(path) && !this.opening.has(path)) this.recheckGone(path, attempt + 1);
      });
    }, GONE_PATH_RECHECK_EVERY_MS);
    this.goneTimers.add(timer);
  }

  /** Stops looking for a new file at a vanished path. */
  private forgetGone(path: string): void {
    const dir = this.goneDirs.get(path);
    if (dir === undefined) return;
    this.goneDirs.delete(path);
    this.unwatchDirectory(dir);
  }

  private applyResume(tailer: FileTailer): void {
    const offset = this.resume.get(tailer.fileId);
    if (offset !== undefined && tailer.resumeAt(offset)) this.store.set(tailer.checkpoint());
  }

  /**
   * Closes a file that idled (FileTailer.idleFor) until it changes. Its directory is watched first
   * and the path checked after, so a write from then on is either seen now (the file is left open)
   * or reported by the directory watch.
   */
  private async closeIdle(tailer: FileTailer): Promise<void> {
    const [path] = tailer.paths as Set<string> & [string];
    const dir = dirname(path);
    this.watchDirectory(dir);
    let current: BigIntStats | undefined;
    try {
      current = await stat(path, { bigint: true });
    } catch {
      // Gone: the path check below notices; the file stays open until then.
    }
    const unchanged = current !== undefined && inodeKey(current) === tailer.key && Number(current.size) === tailer.knownSize;
    if (this.stopped || !unchanged || !tailer.paths.has(path) || !tailer.idleFor(this.options.closeIdleAfterMs)) {
      this.unwatchDirectory(dir);
      if (!this.stopped && !tailer.closed) {
        tailer.requestLook();
        void this.checkPathLogged(path);
        this.onReadable();
      }
      return;
    }
    const closed: ClosedFile = { path, dir, key: tailer.key, size: (current as BigIntStats).size, mtimeNs: (current as BigIntStats).mtimeNs };
    this.closedByPath.set(path, closed);
    this.closedByKey.set(closed.key, closed);
    this.byPath.delete(path);
    this.pathCheckedAt.delete(path);
    tailer.paths.delete(path);
    this.byKey.delete(tailer.key);
    this.pacer.forget(tailer);
    this.store.set(tailer.checkpoint());
    // Taken out of the read order by the caller, once for every file closed in the same poll.
    await tailer.close();
    this.logger.debug({ path, file: tailer.reportPath, fileId: tailer.fileId, offset: tailer.ackedOffset }, 'closed idle file until it changes');
  }

  /** A file found at start-up with nothing to read that has not been written to for closeIdleAfterMs. */
  private idleAtStart(stats: BigIntStats, placement: Placement): boolean {
    const closeIdleMs = this.options.closeIdleAfterMs;
    return closeIdleMs > 0 && placement.offset === placement.size && Date.now() - Number(stats.mtimeMs) >= closeIdleMs;
  }

  /**
   * Follows a file found idle at start-up as a closed file from the start: its checkpoint is stored
   * and its directory watched, and it is opened only once it changes. A change between the open and
   * the directory watch opens it again at once.
   */
  private async startClosed(path: string, opened: OpenedFile, placement: Placement): Promise<void> {
    const { stats } = opened;
    const key = inodeKey(stats);
    this.store.set({ path: placement.reportPath, ...placement.identity, offset: placement.offset });
    if (placement.from !== 'checkpoint') await this.store.flush();
    const dir = dirname(path);
    this.watchDirectory(dir);
    await opened.handle.close();
    const current = await stat(path, { bigint: true }).catch(() => undefined);
    const closed: ClosedFile = { path, dir, key, size: stats.size, mtimeNs: stats.mtimeNs };
    this.closedByPath.set(path, closed);
    this.closedByKey.set(key, closed);
    this.logger.info({ path, file: placement.reportPath, fileId: fileIdOf(placement.identity), offset: placement.offset, from: placement.from, closed: true }, 'following file (closed while idle)');
    if (current?.size !== stats.size || current.mtimeNs !== stats.mtimeNs || inodeKey(current) !== key) await this.reopen(path);
  }

  /** Stops tracking a closed file (it is open again, or gone). */
  private forgetClosed(closed: ClosedFile | undefined): void {
    if (!closed || this.closedByPath.get(closed.path) !== closed) return;
    this.closedByPath.delete(closed.path);
    this.closedByKey.delete(closed.key);
    this.unwatchDirectory(closed.dir);
  }

  /**
   * Opens a closed file's path again: the same file resumes at its checkpoint (placeFile checks its
   * identity), a file that replaced it is read from its start, and a path that is gone is looked at
   * for a while, as after a rotation.
   */
  private async reopen(path: string): Promise<void> {
    if (this.stopped || this.opening.has(path) || this.byPath.has(path)) return;
    const closed = this.closedByPath.get(path);
    if (closed) {
      // Another file (or none) at its path: the closed one was renamed away, perhaps after a last
      // write its events have not told yet. Read it to its end first, as any rotated file.
      const current = await stat(path, { bigint: true }).catch(() => undefined);
      if (!current || inodeKey(current) !== closed.key) await this.findRenamedAway(closed);
      if (this.stopped || this.opening.has(path) || this.byPath.has(path)) return;
    }
    this.forgetClosed(this.closedByPath.get(path));
    const opening = this.open(path, false, undefined)
      .catch((error: unknown) => this.logger.warn({ err: error, path }, 'cannot follow file'))
      .finally(() => this.opening.delete(path));
    this.opening.set(path, opening);
    await opening;
    if (!this.byPath.has(path)) this.recheckGone(path, 0);
  }

  private watchDirectory(dir: string): void {
    const existing = this.dirWatches.get(dir);
    if (existing) {
      existing.users += 1;
      return;
    }
    const watch: DirectoryWatch = { watcher: undefined, users: 1, pending: new Set() };
    this.dirWatches.set(dir, watch);
    watch.watcher = watchDirectory(
      dir,
      (kind, name) => this.directoryChanged(watch, dir, kind, name),
      (error) => {
        watch.watcher = undefined;
        this.logger.debug({ err: error, dir }, 'no events for this directory; its closed files are polled');
      },
    );
  }

  private unwatchDirectory(dir: string): void {
    const watch = this.dirWatches.get(dir);
    if (!watch || --watch.users > 0) return;
    watch.watcher?.close();
    this.dirWatches.delete(dir);
  }

  /**
   * An entry of a watched directory changed. Writes to the open files there are ignored at once; a
   * closed file's name, or any name created or renamed (a closed file renamed away, a vanished path
   * created again), is looked at once the events of this turn are in.
   */
  private directoryChanged(watch: DirectoryWatch, dir: string, kind: ChangeKind, name: string | undefined): void {
    if (this.stopped || this.dirWatches.get(dir) !== watch) return;
    if (name !== undefined && kind === 'changed' && !this.closedByPath.has(join(dir, name))) return;
    if (watch.pending.size === 0) setImmediate(() => void this.directoryEvents(watch, dir));
    watch.pending.add(name);
  }

  /**
   * A vanished path created again is followed at once (the file it replaced is read out first, as
   * after any rotation). A closed file found under another name (renamed away while closed, perhaps
   * after a last write) is read to its end, then the closed files' own paths are opened again: a new
   * file there is read after the old one.
   */
  private async directoryEvents(watch: DirectoryWatch, dir: string): Promise<void> {
    const names = [...watch.pending];
    watch.pending.clear();
    const paths = names.includes(undefined)
      ? [...[...this.closedByPath.values()].filter((closed) => closed.dir === dir).map((closed) => closed.path), ...[...this.goneDirs].filter(([, goneDir]) => goneDir === dir).map(([path]) => path)]
      : names.map((name) => join(dir, name as string));
    const gone = paths.filter((path) => this.goneDirs.has(path));
    for (const path of gone) void this.checkPathLogged(path);
    const others = paths.filter((path) => !this.closedByPath.has(path) && !this.byPath.has(path) && !this.goneDirs.has(path));
    const reopening = new Set(paths.filter((path) => this.closedByPath.has(path)));
    await Promise.all(
      others.map(async (path) => {
        const current = await stat(path, { bigint: true }).catch(() => undefined);
        const closed = current && this.closedByKey.get(inodeKey(current));
        if (!closed) return;
        // Whatever is at its old path now (a new file, or nothing) is looked at next.
        reopening.add(closed.path);
        await this.readRenamedAway(path, closed);
      }),
    );
    await Promise.all([...reopening].map((path) => this.reopen(path)));
  }

  /** Looks in its directory for a closed file no longer at its path, and reads it to its end there. */
  private async findRenamedAway(closed: ClosedFile): Promise<void> {
    const names = await readdir(closed.dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(closed.dir, name);
      if (path === closed.path || this.byPath.has(path) || this.opening.has(path)) continue;
      const current = await stat(path, { bigint: true }).catch(() => undefined);
      if (current && inodeKey(current) === closed.key) return this.readRenamedAway(path, closed);
    }
  }

  /** Reads a closed file found renamed to `path` to its end (then it is closed as any rotated-away file). */
  private async readRenamedAway(path: string, closed: ClosedFile): Promise<void> {
    if (this.closedByKey.get(closed.key) !== closed || this.stopped || this.opening.has(path)) return;
    this.forgetClosed(closed);
    this.logger.info({ path, file: closed.path }, 'closed file renamed away; reading it to its end');
    const opening = this.open(path, false, undefined, false)
      .catch((error: unknown) => this.logger.warn({ err: error, path }, 'cannot follow file'))
      .finally(() => this.opening.delete(path));
    this.opening.set(path, opening);
    await opening;
  }

  /**
   * Closed files whose path shows a change are opened again: every poll where their directory
   * cannot be watched, and every WATCHED_QUIET_POLL_MS where it is, since the kernel may drop
   * events (a full inotify queue) and events are only hints.
   */
  private async pollClosedFiles(): Promise<void> {
    const now = monotonicNow();
    const all = now - this.closedPolledAt >= WATCHED_QUIET_POLL_MS;
    if (all) this.closedPolledAt = now;
    // Synchronous stats: a few µs each, where thousands through the thread pool cost a tenfold.
    const changed = [...this.closedByPath.values()].filter((closed) => {
      if (!all && this.dirWatches.get(closed.dir)?.watcher !== undefined) return false;
      const current = statOrUndefined(closed.path);
      return !(current && inodeKey(current) === closed.key && current.size === closed.size && current.mtimeNs === closed.mtimeNs);
    });
    await Promise.all(changed.map((closed) => this.reopen(closed.path)));
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

/** The file's stats, or undefined when it cannot be stat'ed (gone, unreadable). */
function statOrUndefined(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
