import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../lib/logger.js';
import { parsePathPattern, type PathPattern } from './path-pattern.js';

/**
 * How often chokidar polls the directories under each pattern's base (a stat per directory), and
 * how often a missing base directory is looked for. Growth of followed files is not discovery's
 * job: each open file has its own inotify watch and closed files a watch on their directory (see
 * file-registry.ts), so a second is soon enough.
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
 * A listing is trusted while the directory's modification time is unchanged, but only once it was
 * made this long after that time: timestamps come from a coarse clock, so an entry added right
 * after a listing can leave the modification time as it was.
 */
const MTIME_SETTLE_NS = 1_000_000_000n;

/** What a directory held when it was last listed. */
interface DirectoryListing {
  mtimeNs: bigint;
  /** The listing was made long enough after mtimeNs to be trusted while that is unchanged. */
  settled: boolean;
  files: string[];
  dirs: string[];
}

/**
 * Finds the files to follow: each configured path or glob is split into a base directory and a glob
 * that filters what is found under it. chokidar polls the directories under each base (to the
 * pattern's depth) and tells when one changed; the changed ones are listed again and the matching
 * names compared with the previous look. A rescan every `rescanIntervalMs` lists everything again
 * regardless. Events are only hints for the registry, which checks the file itself.
 *
 * chokidar watches directories only, never the files in them (`ignored`): in polling mode it would
 * stat each file every interval, most of an idle agent's cost with thousands of files, and in
 * inotify mode busy files make it re-read their directory after every write. Symlinked
 * directories are not entered, so a link loop cannot make the walk endless; a base directory
 * created after start-up is looked for every second, and everything in it has appeared after
 * start-up.
 */
export class Discovery {
  private readonly patterns: PathPattern[];
  private readonly listings = new Map<string, DirectoryListing>();
  /** Matching files of each pattern as of the last look. */
  private readonly known: Array<Set<string>>;
  /** Some directory was listed again or went away during the current look. */
  private listingChanged = false;
  private rescanTimer: NodeJS.Timeout | undefined;
  private rescanning: Promise<void> | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  /** A look at the listings is due: a directory changed, or a listing was not settled yet. */
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private baseTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    paths: string[],
    private readonly rescanIntervalMs: number,
    private readonly logger: Logger,
    private readonly handlers: DiscoveryHandlers,
  ) {
    this.patterns = paths.map((path) => parsePathPattern(path));
    this.known = this.patterns.map(() => new Set());
  }

  /** Starts watching and returns the matching files that exist now. */
  async start(): Promise<string[]> {
    // Watchers first, so a file created while the first look runs is reported by one or the other.
    await Promise.all(this.patterns.map((pattern) => this.watchBase(pattern)));
    const found = new Set<string>();
    for (const [index, pattern] of this.patterns.entries()) {
      const files = await this.look(pattern);
      this.known[index] = files;
      for (const path of files) found.add(path);
    }
    if (this.unsettled()) this.requestPoll(WATCH_POLL_INTERVAL_MS);
    this.scheduleBaseCheck();
    this.scheduleRescan();
    return [...found];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.rescanTimer);
    clearTimeout(this.pollTimer);
    clearTimeout(this.baseTimer);
    await this.rescanning;
    await this.polling;
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.close()));
    this.watchers.clear();
  }

  /** Watches the directories under the pattern's base with chokidar, if the base exists and is not watched yet. */
  private async watchBase(pattern: PathPattern): Promise<void> {
    const key = `${pattern.base}\u0000${pattern.depth}`;
    if (this.watchers.has(key)) return;
    const exists = await stat(pattern.base).then((stats) => stats.isDirectory(), () => false);
    if (!exists || this.stopped || this.watchers.has(key)) return;
    const watcher = watch(pattern.base, {
      ignoreInitial: true,
      depth: pattern.depth,
      usePolling: true,
      interval: WATCH_POLL_INTERVAL_MS,
      // Directories only: files are found by listing a directory that changed.
      ignored: (_path, stats) => stats !== undefined && !stats.isDirectory(),
    });
    this.watchers.set(key, watcher);
    // 'raw' is a watched directory's stat changing (an entry added, removed or renamed).
    for (const event of ['raw', 'addDir', 'unlinkDir'] as const) watcher.on(event, () => this.requestPoll(0));
    watcher.on('error', (error) => this.logger.warn({ err: error, dir: pattern.base }, 'directory watcher error; the rescan still lists it'));
    // An unreadable directory fails with 'error' and may never be 'ready': either way, go on.
    await new Promise<void>((resolve) => {
      watcher.once('ready', resolve);
      watcher.once('error', () => resolve());
    });
  }

  /** A base directory may be created after start-up: look for missing ones every second. */
  private scheduleBaseCheck(): void {
    if (this.stopped || this.patterns.every((pattern) => this.watchers.has(`${pattern.base}\u0000${pattern.depth}`))) return;
    this.baseTimer = setTimeout(() => {
      void Promise.all(this.patterns.map((pattern) => this.watchBase(pattern)))
        .then(() => this.requestPoll(0))
        .finally(() => this.scheduleBaseCheck());
    }, WATCH_POLL_INTERVAL_MS);
  }

  /** Some listing was made too soon after its directory changed to be trusted. */
  private unsettled(): boolean {
    for (const listing of this.listings.values()) if (!listing.settled) return true;
    return false;
  }

  /** The matching files under the pattern's base, listing again only the directories that changed. */
  private async look(pattern: PathPattern): Promise<Set<string>> {
    await this.refresh(pattern.base, pattern.depth);
    return this.collect(pattern);
  }

  /** Brings the listings under `dir` up to date (sets listingChanged if any was listed again). */
  private async refresh(dir: string, depth: number): Promise<void> {
    const listing = await this.listing(dir);
    if (listing && depth > 0) for (const sub of listing.dirs) await this.refresh(sub, depth - 1);
  }

  /** The matching files under the pattern's base, from the listings. */
  private collect(pattern: PathPattern): Set<string> {
    const found = new Set<string>();
    const into = (dir: string, depth: number): void => {
      const listing = this.listings.get(dir);
      if (!listing) return;
      for (const path of listing.files) if (pattern.matches(path)) found.add(path);
      if (depth > 0) for (const sub of listing.dirs) into(sub, depth - 1);
    };
    into(pattern.base, pattern.depth);
    return found;
  }

  /** The directory's entries, from the cache while its modification time is unchanged. */
  private async listing(dir: string): Promise<DirectoryListing | undefined> {
    const cached = this.listings.get(dir);
    let mtimeNs: bigint;
    let entries: Dirent[];
    try {
      mtimeNs = (await stat(dir, { bigint: true })).mtimeNs;
      if (cached?.settled && cached.mtimeNs === mtimeNs) return cached;
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      // Missing or unreadable: nothing to list here now; the next look tries again.
      if (this.listings.delete(dir)) this.listingChanged = true;
      return undefined;
    }
    this.listingChanged = true;
    const settled = BigInt(Date.now()) * 1_000_000n - mtimeNs >= MTIME_SETTLE_NS;
    const listing: DirectoryListing = { mtimeNs, settled, files: [], dirs: [] };
    for (const entry of entries) {
      const path = join(dir, entry.name);
      // Symlinks may lead to files (/var/log/containers is all symlinks); symlinked directories are not entered.
      if (entry.isDirectory()) listing.dirs.push(path);
      else if (entry.isFile() || entry.isSymbolicLink()) listing.files.push(path);
    }
    this.listings.set(dir, listing);
    return listing;
  }

  /** Runs a look after `delayMs` (coalesced: one at a time, one more if asked for meanwhile). */
  private requestPoll(delayMs: number): void {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    if (this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.polling = this.poll()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'cannot look for new files'))
        .finally(() => {
          this.polling = undefined;
          if (this.pollAgain) {
            this.pollAgain = false;
            this.requestPoll(0);
          } else if (this.unsettled()) this.requestPoll(WATCH_POLL_INTERVAL_MS);
        });
    }, delayMs);
  }

  /** Reports matching files that appeared or went away since the previous look. */
  private async poll(): Promise<void> {
    for (const [index, pattern] of this.patterns.entries()) {
      this.listingChanged = false;
      await this.refresh(pattern.base, pattern.depth);
      if (this.stopped) return;
      // Nothing listed again: the same files as before (the common case, and the cheap one).
      if (this.listingChanged) this.compare(index, this.collect(pattern));
    }
  }

  /** Reports the differences between the pattern's known files and `now`, which become the known ones. */
  private compare(index: number, now: Set<string>): void {
    const before = this.known[index] as Set<string>;
    this.known[index] = now;
    for (const path of now) if (!before.has(path)) this.handlers.appeared(path);
    for (const path of before) if (!now.has(path)) this.handlers.removed(path);
  }

  private scheduleRescan(): void {
    this.rescanTimer = setTimeout(() => {
      this.rescanning = this.rescan().finally(() => {
        this.rescanning = undefined;
        if (!this.stopped) this.scheduleRescan();
      });
    }, this.rescanIntervalMs);
  }

  /** Lists every directory again (not only those whose modification time changed), for what a look missed. */
  private async rescan(): Promise<void> {
    this.listings.clear();
    for (const [index, pattern] of this.patterns.entries()) {
      const files = await this.look(pattern);
      if (this.stopped) return;
      this.compare(index, files);
      for (const path of files) {
        if (this.stopped) return;
        this.handlers.listed(path);
      }
    }
  }
}
