import { closeSync, fdatasync, fdatasyncSync } from 'node:fs';

/** An fdatasync that reports to a callback, as `fs.fdatasync` does (run on libuv's thread pool). */
export type SyncFunction = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * The syncs of one open file, off the event loop: at most one fdatasync in flight at a time, and the
 * fd is closed only once none is (a number closed under a running sync could be reused by another file).
 */
export class FileSync {
  /** Writes noted so far, and how many of them a finished sync covers. */
  private written = 0;
  private durable = 0;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly fd: number,
    private readonly syncFd: SyncFunction = fdatasync,
  ) {}

  /** Notes a write to the fd: the next sync covers it. */
  wrote(): void {
    this.written += 1;
  }

  get dirty(): boolean {
    return this.durable < this.written;
  }

  /** Starts a sync of the writes so far; undefined when there are none or one is in flight (the next call catches up). */
  sync(): Promise<void> | undefined {
    if (!this.dirty || this.running || this.closing) return undefined;
    return this.start();
  }

  /** Resolves once every write noted before the call is on disk; rejects when a sync fails or the file closes first. */
  async flush(): Promise<void> {
    const mark = this.written;
    while (this.durable < mark) {
      // A sync already in flight may have started before the last writes: wait for it, then sync again.
      // Its failure is reported by whoever started it; this flush then tries its own.
      if (this.running) await this.running.catch(() => undefined);
      else if (this.closing) throw new Error('file closed before it was synced');
      else await this.start();
    }
  }

  /** Syncs on the calling thread, for shutdown (safe beside a sync in flight: the fd is open until it ends). */
  syncNow(): void {
    if (!this.dirty) return;
    if (this.closed) throw new Error('file closed before it was synced');
    const mark = this.written;
    fdatasyncSync(this.fd);
    this.durable = Math.max(this.durable, mark);
  }

  /** Syncs what is left, then closes the fd (also when the sync fails, which rejects). */
  flushAndClose(): Promise<void> {
    return this.flush().finally(() => this.close());
  }

  /** Closes the fd once the sync in flight, if any, has finished; no sync starts after this call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.running?.catch(() => undefined);
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // Whatever was written is in the page cache or synced: closing cannot lose more.
      }
    })();
    return this.closing;
  }

  private start(): Promise<void> {
    const mark = this.written;
    let finished = false;
    const run = new Promise<void>((resolve, reject) => {
      this.syncFd(this.fd, (error) => {
        finished = true;
        this.running = undefined;
        if (error) return reject(error);
        this.durable = Math.max(this.durable, mark);
        resolve();
      });
    });
    // A sync function may call back at once (tests): then nothing is in flight.
    if (!finished) this.running = run;
    return run;
  }
}

/** Syncs and closes in flight, so a caller can wait for them all; each failure goes to `report`. */
export class InFlight {
  private readonly work = new Set<Promise<void>>();

  constructor(private readonly report: (what: string, error: unknown) => void) {}

  /** Keeps `work` until it settles; its failure is reported as `what` (undefined: reported elsewhere). */
  add(work: Promise<unknown>, what?: string): void {
    const entry = work
      .then(
        () => undefined,
        (error: unknown) => {
          if (what !== undefined) this.report(what, error);
        },
      )
      .finally(() => this.work.delete(entry));
    this.work.add(entry);
  }

  /** Settles once everything added so far, and anything added meanwhile, has. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.all(this.work);
  }
}
