import { monotonicNow } from '../monotonic-clock.js';

/** Busy files are counted over windows this long. */
const WINDOW_MS = 1_000;
/**
 * A read that brings at least this much carries its fixed cost (a batch, a frame, an ack: tens of
 * µs of the agent's CPU, and the garbage of each) at a small share of the whole; a file written
 * fast enough to fill reads this size is read that often, whatever the budget (see ReadPacer).
 */
export const FULL_READ_BYTES = 16 * 1024;
/**
 * The shortest spacing of a file's event-driven reads, however fast it is written. It bounds the
 * first hop of a line's latency (written -> read); lower costs the agent and the hub more reads
 * for a fast file (docs/performance.md, "Decisions": 2 ms rather than 4).
 */
export const MIN_SPACING_MS = 2;

/**
 * A file's growth is averaged over about this long, each read weighted by the time it covers. A read
 * that finds nothing this long after the previous one means the file went quiet: its pace is
 * unknown again, and the next read that finds something starts the average afresh (how long the
 * file was quiet before that says nothing about how fast it is written now).
 */
const RATE_MEMORY_MS = 100;

/**
 * A read that started within this share of the spacing after a grid point counts as that point's
 * read (see delayAfterChange), so a paced file is read at least 3/4 of its spacing apart.
 */
const LATE_READ_SHARE = 0.25;

/** What the pacer knows of a file's recent reads. */
interface ReadHistory {
  /** When the last read that counts started (monotonicNow). */
  at: number;
  /** Bytes found and milliseconds covered by recent reads, older ones counting less; 0 ms: unknown. */
  bytes: number;
  ms: number;
}

/**
 * How soon a file the kernel says changed is read. Reading on every change event gives the lowest
 * latency, but each read costs a batch (a frame, a write, an ack to take in, and the objects of
 * each, which keep V8's young generation large), and a writer makes one event per write: 20 files
 * written every 10 ms would be 2,000 batches a second. So event-driven reads share a budget of
 * `readsPerSecond`: each file waits at least busyFiles / readsPerSecond seconds after its previous
 * read. A read that fills the buffer still goes on at once (catching up is not paced), and the
 * poll's looks are not paced either.
 *
 * The budget is for reads that bring little. A file written fast enough to bring FULL_READ_BYTES in
 * less time is read about every FULL_READ_BYTES / its rate instead (the budget's spacing halved until
 * it is nearest that, see spacingFor), down to MIN_SPACING_MS: those reads' fixed cost is small
 * next to the lines they carry, and those are the lines people wait for. With the default budget of
 * 100, one file written at 50,000 lines/s of 100 bytes is read every 2.5 ms, one written at 1,000
 * lines/s every 10 ms, and twenty written at 500 lines/s each are read together every 200 ms.
 */
export class ReadPacer {
  /** Files that changed in the current window. */
  private changed = new Set<object>();
  private windowStartedAt: number;
  /** Files that changed in the previous window. */
  private previousCount = 0;
  private lastSpacingMs = 0;
  private readonly history = new Map<object, ReadHistory>();

  constructor(
    private readonly readsPerSecond: number,
    now = monotonicNow(),
  ) {
    this.windowStartedAt = now;
  }

  /**
   * `file` changed; it was last read at `lastReadAt` (monotonicNow). Returns how many milliseconds
   * to wait before reading it, 0 for now.
   */
  delayAfterChange(file: object, lastReadAt: number, now = monotonicNow()): number {
    if (now - this.windowStartedAt >= WINDOW_MS) {
      // A window with no change at all in between counts as quiet.
      this.previousCount = now - this.windowStartedAt < 2 * WINDOW_MS ? this.changed.size : 0;
      this.changed = new Set();
      this.windowStartedAt = now;
    }
    this.changed.add(file);
    // The larger of the two, so the pace tightens as soon as more files get busy, and loosens only
    // after a whole window with fewer.
    const busyFiles = Math.max(this.previousCount, this.changed.size);
    const spacingMs = this.spacingFor(file, (busyFiles * 1000) / this.readsPerSecond);
    this.lastSpacingMs = spacingMs;
    const earliest = lastReadAt + spacingMs;
    if (earliest <= now) return 0;
    // Due times are rounded up to multiples of the spacing, so that the busy files are read together:
    // their timers fire in one go, their frames leave in one write (see TurnWriteCoalescer) and the
    // hub answers with one ack: one wake-up per round instead of one per file.
    // A read that started a little after its grid point still counts as that point's: timers fire
    // late and a round reads its files one after another, and rounding up from the read's own time
    // made those files skip a point and be read only every other one.
    const due = Math.ceil(Math.max(earliest - spacingMs * LATE_READ_SHARE, now) / spacingMs) * spacingMs;
    return due - now;
  }

  /** A read of `file` that started at `at` (monotonicNow) found `newBytes` it had not seen before. */
  recordRead(file: object, newBytes: number, at = monotonicNow()): void {
    const previous = this.history.get(file);
    const elapsed = previous === undefined ? Number.POSITIVE_INFINITY : at - previous.at;
    if (elapsed <= 0) return;
    if (newBytes === 0) {
      // Nothing new soon after a read (a look the poll asked for) says nothing about the pace, and
      // the next read's sample still starts from the last read that found something.
      if (elapsed >= RATE_MEMORY_MS) this.history.set(file, { at, bytes: 0, ms: 0 });
      return;
    }
    if (previous === undefined || (previous.ms === 0 && elapsed >= RATE_MEMORY_MS)) {
      // The first news after a quiet spell: the pace is measured from this read on.
      this.history.set(file, { at, bytes: 0, ms: 0 });
      return;
    }
    const keep = Math.exp(-elapsed / RATE_MEMORY_MS);
    this.history.set(file, { at, bytes: previous.bytes * keep + newBytes, ms: previous.ms * keep + elapsed });
  }

  /** The spacing of paced reads as of the last change reported (ms). */
  get spacingMs(): number {
    return this.lastSpacingMs;
  }

  /**
   * `file` replaced `previous` at its path (rotation): it starts at the pace `previous` was read at,
   * since the same writer moved on to it, instead of the budget's spacing until its own pace is known.
   */
  inheritPace(file: object, previous: object): void {
    const history = this.history.get(previous);
    if (history !== undefined && !this.history.has(file)) this.history.set(file, { ...history });
  }

  /** Forgets a file that is closed. */
  forget(file: object): void {
    this.changed.delete(file);
    this.history.delete(file);
  }

  /**
   * The budget's spacing, or less for a file that fills a full read sooner (see the class comment).
   * Until a file's pace is known (one read after it started being written to), the budget applies.
   */
  private spacingFor(file: object, budgetSpacingMs: number): number {
    const history = this.history.get(file);
    if (history === undefined || history.ms === 0) return budgetSpacingMs;
    const ownSpacingMs = (FULL_READ_BYTES * history.ms) / history.bytes;
    if (ownSpacingMs >= budgetSpacingMs) return budgetSpacingMs;
    // The budget's spacing halved as many times as comes nearest the file's own (reads then bring
    // 0.7-1.4 times FULL_READ_BYTES), never the file's own spacing as such: files of similar paces
    // must share grid points to be read in one go; each on a grid of its own, they drift apart.
    const halvings = Math.round(Math.log2(budgetSpacingMs / ownSpacingMs));
    return Math.max(MIN_SPACING_MS, budgetSpacingMs / 2 ** halvings);
  }
}
