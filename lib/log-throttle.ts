/**
 * Lets a recurring failure (a StatsD server that is down, a full disk) be logged at most once per
 * interval instead of once per attempt, and says how many occurrences were not logged meanwhile.
 */
export class LogThrottle {
  private lastLoggedMs = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `log` with the count of occurrences skipped since the last call, or skips this one. */
  run(log: (suppressed: number) => void): void {
    const now = this.now();
    if (now - this.lastLoggedMs < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const suppressed = this.suppressed;
    this.lastLoggedMs = now;
    this.suppressed = 0;
    log(suppressed);
  }
}
