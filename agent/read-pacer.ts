import { monotonicNow } from './monotonic-clock.js';

/** Busy files are counted over windows this long. */
const WINDOW_MS = 1_000;

/**
 * How soon a file the kernel says changed is read. Reading on every change event gives the lowest
 * latency, but each read costs a batch (a frame, a write, an ack to take in: 30-60 µs of the
 * agent's CPU), and a writer makes one event per write: 20 files written every 10 ms would be 2,000
 * batches a second, a fifth of a core. So event-driven reads share a budget of `readsPerSecond`:
 * each file waits at least busyFiles / readsPerSecond seconds after its previous read. One busy file
 * is read within a few milliseconds of each write; twenty are read every few tens of milliseconds,
 * each read taking everything written since. A read that fills the buffer still goes on at once
 * (catching up is not paced), and the poll's looks are not paced either.
 */
export class ReadPacer {
  /** Files that changed in the current window. */
  private changed = new Set<object>();
  private windowStartedAt: number;
  /** Files that changed in the previous window. */
  private previousCount = 0;
  private lastSpacingMs = 0;

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
    const spacingMs = (busyFiles * 1000) / this.readsPerSecond;
    this.lastSpacingMs = spacingMs;
    const earliest = lastReadAt + spacingMs;
    if (earliest <= now) return 0;
    // Due times are rounded up to multiples of the spacing, so that the busy files are read together:
    // their timers fire in one go, their frames leave in one write (see TurnWriteCoalescer) and the
    // hub answers with one ack. (A 10 ms grid spread the reads of 20 busy files over 8 slots a
    // spacing: 8 times the wake-ups, each of which costs a few hundred µs of CPU on a VM.)
    return Math.ceil(earliest / spacingMs) * spacingMs - now;
  }

  /** The spacing of paced reads as of the last change reported (ms). */
  get spacingMs(): number {
    return this.lastSpacingMs;
  }

  /** Forgets a file that is closed. */
  forget(file: object): void {
    this.changed.delete(file);
  }
}
