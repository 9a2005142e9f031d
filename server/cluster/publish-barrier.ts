export interface PublishBarrierDeps {
  /** A round trip to NATS (`nc.flush()`): resolves once the server has read everything published before it. */
  flush(): Promise<void>;
  /** False while NATS is unreachable: nothing can be confirmed then, so nobody waits. */
  connected(): boolean;
  /** Longest wait for one round trip (HubConfig.natsTimeoutMs). */
  timeoutMs: number;
  /** A round trip that did not answer in time (or failed); the waiters were released anyway. */
  onUnconfirmed(reason: 'timeout' | 'error', err?: unknown): void;
}

/**
 * Tells when NATS holds what this hub has published so far. `nc.publish` only queues a batch in
 * the client's socket buffer; a hub killed before that buffer is written loses it, so an agent must
 * not be acknowledged for it until a flush round trip started after the publish has come back.
 *
 * One round trip serves every caller that asked before it started. Callers arriving while one is
 * in flight published after it started, so they share the next one, started when the current one
 * ends: at most one round trip in flight, and waiters are released in the order they asked.
 * A round trip that does not answer within timeoutMs releases its waiters anyway (the lines then
 * are only as safe as they were without the barrier; docs/scaling.md, "Limits, honestly").
 */
export class PublishBarrier {
  private inFlight: Promise<void> | undefined;
  /** The round trip queued behind the one in flight, shared by everyone who asked meanwhile. */
  private next: Promise<void> | undefined;

  constructor(private readonly deps: PublishBarrierDeps) {}

  /**
   * Resolves once NATS holds everything published before this call (or the wait timed out).
   * Undefined while NATS is disconnected: there is nothing to wait for, the caller goes on at once.
   */
  afterPublished(): Promise<void> | undefined {
    if (!this.deps.connected()) return undefined;
    if (!this.inFlight) {
      this.inFlight = this.roundTrip();
      return this.inFlight;
    }
    this.next ??= this.inFlight.then(() => {
      this.next = undefined;
      this.inFlight = this.roundTrip();
      return this.inFlight;
    });
    return this.next;
  }

  private roundTrip(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.deps.timeoutMs);
    });
    // A rejection after the timeout is swallowed here: the waiters were released and counted once already.
    let flushing: Promise<void>;
    try {
      flushing = this.deps.flush();
    } catch (err) {
      flushing = Promise.reject(err);
    }
    const flushed = flushing.then(
      () => ({ outcome: 'flushed' as const }),
      (err: unknown) => ({ outcome: 'error' as const, err }),
    );
    const done = Promise.race([flushed, timedOut.then(() => ({ outcome: 'timeout' as const }))]).then((result) => {
      clearTimeout(timer);
      if (result.outcome === 'timeout') this.deps.onUnconfirmed('timeout');
      else if (result.outcome === 'error') this.deps.onUnconfirmed('error', result.err);
      // Only the round trip that is still current clears the slot (a queued one replaces it).
      if (this.inFlight === done) this.inFlight = undefined;
    });
    return done;
  }
}
