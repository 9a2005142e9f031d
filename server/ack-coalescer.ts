/**
 * Acknowledgements for one agent connection, one message per event-loop turn at most.
 *
 * Acks are cumulative (docs/protocol.md): `{"type":"ack","batch":7}` covers batches 1..7. Frames that
 * arrive together (one socket read holds several, which is what happens when the hub falls behind
 * or an agent catches up) are all taken in during the same turn, so one ack for the last of them,
 * sent from setImmediate once the turn's reads are handled, tells the agent exactly what one ack
 * per frame did, with one socket write instead of one per frame. The delay is the rest of the
 * current turn: no timer, nothing held across turns.
 */
export class AckCoalescer {
  /** Highest batch taken in and not yet acknowledged; 0 when nothing is owed. */
  private owed = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly sendAck: (batch: number) => void) {}

  /** Batch `batch` (and every one before it) is taken in: acknowledge it by the end of this turn. */
  taken(batch: number): void {
    this.owed = Math.max(this.owed, batch);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  /** Sends the owed ack now (e.g. before an error closes the connection). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.owed === 0) return;
    const batch = this.owed;
    this.owed = 0;
    this.sendAck(batch);
  }

  /** Forgets what is owed (the socket is gone; the agent resends unacknowledged batches anyway). */
  cancel(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.owed = 0;
  }
}
