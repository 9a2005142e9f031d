/** An outbox holding lines that wait for the end of the event-loop turn. */
export interface WaitingOutbox {
  /** performance.now() when its oldest waiting line was queued. */
  readonly waitingSince: number;
  flush(): void;
}

/**
 * How long a matched line may wait for the end of the current event-loop turn before it is sent
 * anyway. Viewers' outboxes send what a turn queued at the end of that turn, so the matches of
 * every batch handled in the turn share one message. A turn is usually short, but when many frames
 * are waiting (an agent catching up, a hub that was briefly starved of CPU) one turn reads and
 * filters megabytes, and the first batch's matches would wait for the last one. Past this budget
 * they go out after the batch that is being handled, at the cost of one more socket write.
 */
const MAX_TURN_WAIT_MS = 2;

/**
 * The outboxes waiting for the end of the turn, oldest first. After each batch the pipeline asks
 * `sendLate()`, which flushes those that have waited past the budget: one clock read per batch when
 * nothing is late.
 */
export class LateFlush {
  private readonly waiting = new Set<WaitingOutbox>();

  constructor(private readonly maxWaitMs = MAX_TURN_WAIT_MS) {}

  /** `outbox` now has lines waiting for the end of the turn (call once, when it starts waiting). */
  add(outbox: WaitingOutbox): void {
    this.waiting.add(outbox);
  }

  /** `outbox` sent its lines, or closed. */
  remove(outbox: WaitingOutbox): void {
    this.waiting.delete(outbox);
  }

  /** Flushes every outbox whose lines have waited longer than the budget. */
  sendLate(now = performance.now()): void {
    if (this.waiting.size === 0) return;
    // A Set iterates in insertion order, so the first outbox not yet late ends the search.
    for (const outbox of this.waiting) {
      if (now - outbox.waitingSince < this.maxWaitMs) return;
      this.waiting.delete(outbox);
      outbox.flush();
    }
  }
}
