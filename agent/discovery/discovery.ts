import { stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../lib/logger.js';
import { listFiles } from './directory-walk.js';
import { parsePathPattern, type PathPattern } from './path-pattern.js';

/**
 * How often chokidar polls the watched directories (and the files in them), and how often a base
 * directory that does not exist yet is looked for. Only new and removed files are found this way;
 * growth is read on each followed file's own change events (change-watcher.ts), so a second is
 * soon enough.
 */
const WATCH_POLL_INTERVAL_MS = 1_000;

export interface DiscoveryHandlers {
  /** A matching file appeared (or a followed path was re-created). */
  appeared(path: string): void;
  /** A matching path is gone. */
  removed(path: string): void;
  /** The periodic rescan lists this matching file; it is usually followed already. */
  listed(path: string): void;
}

/**
 * Finds the files to follow: each configured path or glob is split into a base directory, watched
 * with chokidar, and a glob that filters what is found there. Events are only hints for the
 * registry, which checks the file itself. A rescan every `rescanIntervalMs` lists the bases again, for events lost by the OS
 * and for base directories that did not exist yet (chokidar cannot watch those).
 *
 * chokidar runs in polling mode. With inotify it re-reads a directory (readdir plus an lstat per
 * entry) after every event in it, and a file being appended to fires events continuously, so busy
 * files would keep it re-reading their directory. Polling costs a stat per watched entry per
 * interval. Growth of followed files is not chokidar's job: each followed file has its own inotify watch
 * (change-watcher.ts), which fires for that file only.
 */
export class Discovery {
  private readonly patterns: PathPattern[];
  private readonly watchers = new Map<string, FSWatcher>();
  private rescanTimer: NodeJS.Timeout | undefined;
  private rescanning: Promise<void> | undefined;
  private baseTimer: NodeJS.Timeout | undefined;
  private baseChecking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    paths: string[],
    private readonly rescanIntervalMs: number,
    private readonly logger: Logger,
    private readonly handlers: DiscoveryHandlers,
  ) {
    this.patterns = paths.map((path) => parsePathPattern(path));
  }

  /** Starts watching and returns the matching files that exist now. */
  async start(): Promise<string[]> {
    await Promise.all(this.patterns.map((pattern) => this.watchBase(pattern)));
    // Listed after the watchers are ready, so a file created in between is reported by one or the other.
    const existing = await this.list();
    this.scheduleRescan();
    this.scheduleBaseCheck();
    return existing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rescanTimer);
    clearTimeout(this.baseTimer);
    await this.rescanning;
    await this.baseChecking;
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.close()));
    this.watchers.clear();
  }

  private async list(): Promise<string[]> {
    const found = new Set<string>();
    for (const pattern of this.patterns) {
      await listFiles(pattern.base, pattern.depth, (path) => {
        if (pattern.matches(path)) found.add(path);
      });
    }
    return [...found];
  }

  /** Watches the pattern's base directory if it exists and is not watched yet; true if it started now. */
  private async watchBase(pattern: PathPattern): Promise<boolean> {
    if (this.watchers.has(watchKey(pattern))) return false;
    const exists = await stat(pattern.base).then((stats) => stats.isDirectory(), () => false);
    const key = watchKey(pattern);
    if (!exists || this.stopped || this.watchers.has(key)) return false;
    const watcher = watch(pattern.base, {
      ignoreInitial: true,
      depth: pattern.depth,
      usePolling: true,
      interval: WATCH_POLL_INTERVAL_MS,
      binaryInterval: WATCH_POLL_INTERVAL_MS,
      // Report a rename+create as unlink and add, not as one "change": rotation is then seen at once.
      atomic: false,
      // Files that can never match are not tracked at all; directories are, to reach matches below.
      ignored: (path, stats) => stats?.isFile() === true && !pattern.matches(path),
    });
    this.watchers.set(key, watcher);
    const when = (handler: (path: string) => void) => (path: string) => {
      if (pattern.matches(path)) handler(path);
    };
    watcher.on('add', when((path) => this.handlers.appeared(path)));
    watcher.on('unlink', when((path) => this.handlers.removed(path)));
    watcher.on('error', (error) => this.logger.warn({ err: error, dir: pattern.base }, 'file watcher error; the poll still checks followed files'));
    // An unreadable directory fails with 'error' and may never be 'ready': either way, go on (the
    // rescan still lists what it can).
    await new Promise<void>((resolve) => {
      watcher.once('ready', resolve);
      watcher.once('error', () => resolve());
    });
    this.logger.debug({ dir: pattern.base, pattern: pattern.pattern, depth: pattern.depth }, 'watching directory');
    return true;
  }

  /**
   * A glob's directory may be created after start-up: look for missing ones every second, and once
   * one is there, watch it and report what it already holds (all of it appeared after start-up).
   */
  private scheduleBaseCheck(): void {
    if (this.stopped || this.patterns.every((pattern) => this.watchers.has(watchKey(pattern)))) return;
    this.baseTimer = setTimeout(() => {
      this.baseChecking = this.checkBases().finally(() => {
        this.baseChecking = undefined;
        this.scheduleBaseCheck();
      });
    }, WATCH_POLL_INTERVAL_MS);
  }

  private async checkBases(): Promise<void> {
    for (const pattern of this.patterns) {
      if (!(await this.watchBase(pattern))) continue;
      await listFiles(pattern.base, pattern.depth, (path) => {
        if (!this.stopped && pattern.matches(path)) this.handlers.appeared(path);
      });
    }
  }

  private scheduleRescan(): void {
    this.rescanTimer = setTimeout(() => {
      this.rescanning = this.rescan().finally(() => {
        this.rescanning = undefined;
        if (!this.stopped) this.scheduleRescan();
      });
    }, this.rescanIntervalMs);
  }

  private async rescan(): Promise<void> {
    for (const path of await this.list()) {
      if (this.stopped) return;
      this.handlers.listed(path);
    }
  }
}

function watchKey(pattern: PathPattern): string {
  return `${pattern.base}\0${pattern.depth}`;
}
