/**
 * Decides when an ack may leave: undefined to send it at once, or a promise to send it once it
 * resolves. With --nats this is PublishBarrier.afterPublished (NATS holds the lines first).
 */
export type AckGate = () => Promise<void> | undefined;

/**
 * Acknowledgements for one agent connection, one message per event-loop turn at most.
 *
 * Acks are cumulative (docs/protocol.md): `{"type":"ack","batch":7}` covers batches 1..7. Frames that
 * arrive together (one socket read holds several, which is what happens when the hub falls behind
 * or an agent catches up) are all taken in during the same turn, so one ack for the last of them,
 * sent from setImmediate once the turn's reads are handled, tells the agent exactly what one ack
 * per frame did, with one socket write instead of one per frame. The delay is the rest of the
 * current turn: no timer, nothing held across turns.
 *
 * With a gate (cluster mode), the turn's ack waits for it too: the batches it covers were published
 * during the turn, and the agent must not move past them before NATS holds them. Acks stay strictly
 * increasing whatever order gates resolve in.
 */
export class AckCoalescer {
  /** Highest batch taken in. */
  private highestTaken = 0;
  /** Highest batch acknowledged. */
  private acked = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private cancelled = false;

  constructor(
    private readonly sendAck: (batch: number) => void,
    private readonly gate?: AckGate,
  ) {}

  /** Batch `batch` (and every one before it) is taken in: acknowledge it by the end of this turn (or once the gate opens). */
  taken(batch: number): void {
    if (this.cancelled) return;
    this.highestTaken = Math.max(this.highestTaken, batch);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.release();
    });
  }

  /**
   * Sends the owed ack now, without waiting for the gate (e.g. before an error closes the
   * connection). Not waiting is deliberate: the socket closes right after, so a gated ack would
   * never be sent and the agent would resend (duplicate) batches the hub holds. The hub is alive,
   * so what it published is still written to NATS; only a hub killed in that instant loses it.
   */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.send(this.highestTaken);
  }

  /** Forgets what is owed, including acks waiting for the gate (the socket is gone; the agent resends unacknowledged batches anyway). */
  cancel(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.cancelled = true;
  }

  private release(): void {
    const batch = this.highestTaken;
    if (batch <= this.acked) return;
    const wait = this.gate?.();
    if (!wait) {
      this.send(batch);
      return;
    }
    // The gate never rejects (PublishBarrier releases on timeout); if one did, acking is still the
    // right outcome: the lines are in this hub's backlog either way.
    void wait.then(
      () => this.send(batch),
      () => this.send(batch),
    );
  }

  private send(batch: number): void {
    if (this.cancelled || batch <= this.acked) return;
    this.acked = batch;
    this.sendAck(batch);
  }
}
