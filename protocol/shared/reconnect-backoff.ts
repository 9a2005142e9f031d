/**
 * How every client of the hub (agents, the tail CLI, the browser UI) waits before reconnecting:
 * capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"). The delay is uniform in [0, min(cap, base * 2^attempt)], so a fleet of clients that lost
 * the same hub does not reconnect in lockstep. Never returns less than `minMs` so a flapping hub is
 * not hammered. Pure (no Node or DOM APIs): the UI uses it too.
 */
export interface ReconnectBackoffOptions {
  baseMs: number;
  capMs: number;
  minMs: number;
  random?: () => number;
}

export class ReconnectBackoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: ReconnectBackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.max(this.options.minMs, Math.floor(this.random() * ceiling));
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
