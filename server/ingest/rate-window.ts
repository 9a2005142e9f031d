/** Seconds of history behind a lines-per-second figure: long enough to smooth bursty batches. */
const WINDOW_SECONDS = 5;

/**
 * Events per second over the last few seconds, in constant memory: one counter per second in a
 * small ring, the current second counted by the fraction of it that has passed.
 */
export class RateWindow {
  private readonly counts = new Array<number>(WINDOW_SECONDS + 1).fill(0);
  private second = 0;

  add(count: number, nowMs: number): void {
    this.advance(nowMs);
    this.counts[this.second % this.counts.length]! += count;
  }

  perSecond(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (const count of this.counts) sum += count;
    const elapsed = WINDOW_SECONDS + (nowMs % 1000) / 1000;
    return sum / elapsed;
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.second) return;
    // Clear the seconds skipped since the last event (at most the whole ring).
    const steps = Math.min(second - this.second, this.counts.length);
    for (let i = 1; i <= steps; i += 1) this.counts[(this.second + i) % this.counts.length] = 0;
    this.second = second;
  }
}
