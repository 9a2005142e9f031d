import { stat } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../lib/logger.js';
import { listFiles } from './directory-walk.js';
import { parsePathPattern, type PathPattern } from './path-pattern.js';

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
 * with chokidar, and a picomatch matcher. Events are only hints for the registry, which checks the
 * file itself. A rescan every `rescanIntervalMs` lists the bases again, for events lost by the OS
 * and for base directories that did not exist yet (chokidar cannot watch those).
 *
 * chokidar runs in polling mode. With inotify it re-reads a directory (readdir plus an lstat per
 * entry) after every event in it, and a file being appended to fires events continuously: 20 busy
 * files in /var/log cost half a core. Polling a directory's mtime costs one stat per interval. Growth
 * of followed files is the registry's poll's job (one fstat per file), not chokidar's.
 */
export class Discovery {
  private readonly patterns: PathPattern[];
  private readonly watchers = new Map<string, FSWatcher>();
  private rescanTimer: NodeJS.Timeout | undefined;
  private rescanning: Promise<void> | undefined;
  private stopped = false;

  constructor(
    paths: string[],
    private readonly pollIntervalMs: number,
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
    return existing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rescanTimer);
    await this.rescanning;
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

  /** Watches the pattern's base directory if it exists (and is not watched yet). */
  private async watchBase(pattern: PathPattern): Promise<void> {
    const key = `${pattern.base}\0${pattern.depth}`;
    if (this.watchers.has(key)) return;
    const exists = await stat(pattern.base).then((stats) => stats.isDirectory(), () => false);
    if (!exists || this.stopped || this.watchers.has(key)) return;
    const watcher = watch(pattern.base, {
      ignoreInitial: true,
      depth: pattern.depth,
      usePolling: true,
      interval: 1000,
      binaryInterval: 1000,
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
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.logger.debug({ dir: pattern.base, pattern: pattern.pattern, depth: pattern.depth }, 'watching directory');
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
    for (const pattern of this.patterns) await this.watchBase(pattern);
    for (const path of await this.list()) {
      if (this.stopped) return;
      this.handlers.listed(path);
    }
  }
}
