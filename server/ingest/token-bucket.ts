import { performance } from 'node:perf_hooks';

/**
 * A token bucket: refills at `ratePerSec` up to `capacity` tokens; `take` grants what it has.
 * The clock is injected (monotonic milliseconds) so tests can drive it.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.lastMs = now();
  }

  /** Whole tokens available now. */
  available(): number {
    this.refill();
    return whole(this.tokens);
  }

  /** Takes up to `wanted` tokens; returns how many were granted (0 to `wanted`). */
  take(wanted: number): number {
    this.refill();
    const granted = Math.max(0, Math.min(wanted, whole(this.tokens)));
    this.tokens -= granted;
    return granted;
  }

  private refill(): void {
    const now = this.now();
    // A clock that went backwards (it should not: the default is monotonic) adds nothing, now or
    // when it comes forward again.
    if (now <= this.lastMs) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastMs) * this.ratePerSec) / 1000);
    this.lastMs = now;
  }
}

/** Whole tokens in `tokens`, forgiving the rounding error of summed fractions (0.3 * 10 = 2.9999...). */
function whole(tokens: number): number {
  return Math.floor(tokens + 1e-9);
}
