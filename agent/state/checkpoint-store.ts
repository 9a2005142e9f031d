import { appendFile, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../lib/logger.js';
import { temporaryPrefix, writeFileAtomic } from './atomic-write.js';
import { inodeKey, type FileIdentity } from '../tailing/file-identity.js';

/** Entries for files not seen for this long are forgotten, so the state file does not grow forever. */
export const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

const STATE_VERSION = 1;

const checkpointSchema = z.object({
  /** The path lines of this file are reported under (the one the agent first knew it by). */
  path: z.string().min(1),
  dev: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  fingerprintLength: z.number().int().nonnegative(),
  gen: z.string().min(1).max(32),
  /** Acknowledged by the hub up to here; always a line boundary. */
  offset: z.number().int().nonnegative(),
  /** When the agent last had this file open, ms since the epoch. */
  seenAt: z.number(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

const journalCheckpointSchema = z.object({
  /** Which journal query this is (agent/journal/journal-source.ts journalKey). */
  key: z.string().min(1).max(8192),
  /** The source's fileId on the wire, kept so offsets stay comparable across restarts. */
  fileId: z.string().min(1).max(128),
  /** journalctl's cursor of the last entry the hub acknowledged; none before the first. */
  cursor: z.string().min(1).max(4096).optional(),
  /** The source's offset just after that entry. */
  offset: z.number().int().nonnegative(),
});
export type JournalCheckpoint = z.infer<typeof journalCheckpointSchema>;

/** A line of the notes file: a checkpoint set after the state file's write number `after` was taken. */
const noteSchema = checkpointSchema.extend({ after: z.number().int().nonnegative() });

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** Counts the writes of the state file, to tell which notes (setVisible) a state already holds. */
  serial: z.number().int().nonnegative().optional(),
  files: z.array(checkpointSchema),
  journals: z.array(journalCheckpointSchema).default([]),
});

export interface CheckpointStoreOptions {
  /** Whether the agent has this file open right now (keeps its entry fresh). */
  isOpen?: (key: string) => boolean;
  now?: () => number;
}

/**
 * Acknowledged offsets per file identity (and the journal cursor per journal query), kept in memory and written to the state file atomically
 * when dirty. Each write keeps the contents it replaces as `<state file>.prev`. A state file that
 * cannot be read back is set aside, never fatal, and the agent resumes from that previous copy (a
 * flush interval older: lines are sent again, none skipped; the hub drops what it already holds); a
 * state directory that cannot be written to (full, read-only) is reported and retried on the next
 * flush while the agent keeps running, and its recovery is logged too.
 *
 * A newly followed file's checkpoint must be readable by a restarted agent before any of its lines
 * goes out (setVisible). It is appended to a notes file next to the state file, which a killed agent
 * reads back on load: one small write to the page cache, where writing the state file waits on two
 * fsyncs, tens of milliseconds while the disk is busy, as it is at every rotation.
 */
export class CheckpointStore {
  private readonly entries = new Map<string, Checkpoint>();
  private readonly journals = new Map<string, JournalCheckpoint>();
  private dirty = false;
  private failures = 0;
  /** Failed writes since the last good one, for the "written again" log. */
  private failingWrites = 0;
  private flushing: Promise<void> | undefined;
  /** The next write, queued behind the one in progress and not started yet. */
  private waiting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** The number of the newest state snapshot taken (written, or being written). */
  private serial = 0;
  /** The highest `after` in the notes file, or -1 when it holds none. */
  private notedAfter = -1;
  /** Appends to and removals of the notes file, one at a time and in order. */
  private notes: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
    private readonly options: CheckpointStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Flushes that failed (full or unwritable state directory). */
  get errors(): number {
    return this.failures;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The state before the last write, kept by writeFileAtomic. */
  get previousFile(): string {
    return `${this.file}.prev`;
  }

  /** Checkpoints set with setVisible since the state file last held them, one JSON line each. */
  get notesFile(): string {
    return `${this.file}.new-files`;
  }

  async load(): Promise<void> {
    await this.removeStaleTemporaries();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      // No state file is a first start (or an operator's reset): the previous copy is not used then,
      // but notes are (an agent killed before its first write).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.loadNotes();
      this.logger.error({ err: error, stateFile: this.file }, 'cannot read the agent state file; starting without checkpoints');
      return;
    }
    const reason = this.parse(text);
    if (reason === undefined) return this.loadNotes();
    const aside = await this.setAside(reason);
    const previous = await readFile(this.previousFile, 'utf8').catch(() => undefined);
    const previousReason = previous === undefined ? 'there is none' : this.parse(previous);
    const context = { stateFile: this.file, movedTo: aside, reason };
    if (previousReason === undefined) {
      this.logger.warn({ ...context, previousFile: this.previousFile, files: this.entries.size }, 'agent state file is corrupted; set it aside and resumed from its previous copy');
    } else {
      this.logger.warn({ ...context, previousReason }, 'agent state file is corrupted; set it aside and starting fresh');
    }
    await this.loadNotes();
  }

  /** Applies the notes the state file does not hold yet (taken before they were written); a torn line is skipped. */
  private async loadNotes(): Promise<void> {
    const text = await readFile(this.notesFile, 'utf8').catch(() => '');
    let applied = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let parsed;
      try {
        parsed = noteSchema.safeParse(JSON.parse(line));
      } catch {
        continue;
      }
      if (!parsed.success) continue;
      const { after, ...entry } = parsed.data;
      this.notedAfter = Math.max(this.notedAfter, after);
      if (after < this.serial) continue;
      this.entries.set(inodeKey(entry), entry);
      applied += 1;
    }
    // The next write must count past every note, so that it makes them all obsolete.
    this.serial = Math.max(this.serial, this.notedAfter);
    if (applied > 0) {
      this.dirty = true;
      this.logger.info({ stateFile: this.file, files: applied }, 'took checkpoints of newly followed files from the notes file');
    }
  }

  get(identity: Pick<FileIdentity, 'dev' | 'ino'>): Checkpoint | undefined {
    return this.entries.get(inodeKey(identity));
  }

  /** Whether some file was last known under `path` (it has since been replaced if its identity differs). */
  hasPath(path: string): boolean {
    for (const entry of this.entries.values()) if (entry.path === path) return true;
    return false;
  }

  set(entry: Omit<Checkpoint, 'seenAt'>): void {
    const key = inodeKey(entry);
    const old = this.entries.get(key);
    if (old && old.offset === entry.offset && old.gen === entry.gen && old.fingerprint === entry.fingerprint && old.path === entry.path) return;
    this.entries.set(key, { ...entry, seenAt: this.now() });
    this.dirty = true;
  }

  /**
   * Sets a checkpoint and makes it readable by an agent restarted after a kill before the promise
   * resolves: appended to the notes file (no fsync; after a power loss the file may be sent again
   * from its start, never skipped). Falls back to a full write when the append fails.
   */
  setVisible(entry: Omit<Checkpoint, 'seenAt'>): Promise<void> {
    this.set(entry);
    const stored = this.entries.get(inodeKey(entry))!;
    const after = this.serial;
    const line = `${JSON.stringify({ ...stored, after })}\n`;
    const appended = this.notes.then(async () => {
      try {
        await appendFile(this.notesFile, line, { mode: 0o600 });
        this.notedAfter = Math.max(this.notedAfter, after);
      } catch (error) {
        this.logger.warn({ err: error, notesFile: this.notesFile }, 'cannot note a newly followed file; writing the state file instead');
        await this.flush();
      }
    });
    this.notes = appended;
    return appended;
  }

  getJournal(key: string): JournalCheckpoint | undefined {
    return this.journals.get(key);
  }

  setJournal(entry: JournalCheckpoint): void {
    const old = this.journals.get(entry.key);
    if (old && old.cursor === entry.cursor && old.offset === entry.offset && old.fileId === entry.fileId) return;
    this.journals.set(entry.key, { ...entry });
    this.dirty = true;
  }

  /** Writes the state file if anything changed. Never throws: failures are logged and counted. */
  flush(): Promise<void> {
    // One write at a time; a flush asked for during a write runs after it with the newest state. A
    // write already waiting will take the newest state too: flushes asked for meanwhile share it
    // (thousands of files followed at start-up ask for one each).
    if (this.waiting) return this.waiting;
    const previous = this.flushing ?? Promise.resolve();
    const next = previous.then(() => {
      this.waiting = undefined;
      return this.write();
    });
    this.waiting = next;
    this.flushing = next;
    void next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  /** Flushes every `intervalMs` (when dirty) until stop(). */
  start(intervalMs: number): void {
    const tick = (): void => {
      this.timer = setTimeout(() => {
        // flush() never rejects; the next tick is armed once it is done, unless stop() came meanwhile.
        void this.flush().then(() => {
          if (this.timer !== undefined) tick();
        });
      }, intervalMs);
    };
    tick();
  }

  /** Stops the interval and writes the final state. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.notes;
    await this.flush();
    await this.notes;
  }

  private async write(): Promise<void> {
    this.forgetStale();
    if (!this.dirty) return;
    this.dirty = false;
    this.serial += 1;
    const serial = this.serial;
    const state = { version: STATE_VERSION, serial, files: [...this.entries.values()], journals: [...this.journals.values()] };
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(state)}\n`, { keepPreviousAs: this.previousFile });
    } catch (error) {
      this.dirty = true;
      this.failures += 1;
      this.failingWrites += 1;
      this.logger.error({ err: error, stateFile: this.file, failures: this.failures }, 'cannot write the agent state file; will retry');
      return;
    }
    if (this.failingWrites > 0) {
      this.logger.info({ stateFile: this.file, failedWrites: this.failingWrites }, 'agent state file written again');
      this.failingWrites = 0;
    }
    this.dropObsoleteNotes(serial);
  }

  /** Removes the notes file once the state file written as `serial` holds every note in it. */
  private dropObsoleteNotes(serial: number): void {
    this.notes = this.notes.then(async () => {
      if (this.notedAfter < 0 || this.notedAfter >= serial) return;
      try {
        await unlink(this.notesFile);
        this.notedAfter = -1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.notedAfter = -1;
        else this.logger.warn({ err: error, notesFile: this.notesFile }, 'cannot remove the notes file; its notes are in the state file already');
      }
    });
  }

  private forgetStale(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (this.options.isOpen?.(key)) {
        entry.seenAt = now;
      } else if (now - entry.seenAt > FORGET_AFTER_MS) {
        this.entries.delete(key);
        this.dirty = true;
      }
    }
  }

  /** Fills the map from the file's text; returns why the text is unusable, if it is. */
  private parse(text: string): string | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return `not valid JSON (${(error as Error).message})`;
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) return `unexpected contents: ${z.prettifyError(parsed.error)}`;
    for (const entry of parsed.data.files) this.entries.set(inodeKey(entry), entry);
    this.serial = parsed.data.serial ?? 0;
    for (const entry of parsed.data.journals) this.journals.set(entry.key, entry);
    return undefined;
  }

  /** Moves the unusable state file out of the way, for a person to look at; returns where, if it could. */
  private async setAside(reason: string): Promise<string | undefined> {
    const aside = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.file, aside);
      return aside;
    } catch (error) {
      this.logger.warn({ err: error, stateFile: this.file, reason }, 'agent state file is corrupted and could not be set aside');
      return undefined;
    }
  }

  /**
   * Temporary files of writes that a crash (kill -9, power loss) interrupted: nothing else removes
   * them, and on a small state directory they would add up until writes fail.
   */
  private async removeStaleTemporaries(): Promise<void> {
    const prefix = temporaryPrefix(this.file);
    const dir = dirname(this.file);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(prefix) || name === basename(this.file)) continue;
      await unlink(join(dir, name)).catch((error: unknown) => this.logger.warn({ err: error, file: join(dir, name) }, 'cannot remove a stale temporary state file'));
    }
  }
}
