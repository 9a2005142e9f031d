/** The part of a net.Socket (or tls.TLSSocket) this needs. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/**
 * Frames smaller than this wait for the end of the event-loop turn before going to the OS; bigger
 * ones (catching up, 512 KiB each) gain nothing from waiting and go at once.
 */
export const COALESCE_MAX_FRAME_BYTES = 64 * 1024;

/**
 * Hands the small frames sent during one event-loop turn to the OS in one writev instead of one
 * write each: files read in one round make many small frames, and a system call per frame was a
 * large share of the agent's CPU. Holding them until setImmediate adds microseconds.
 */
export class TurnWriteCoalescer {
  private holding = false;

  constructor(private readonly socket: CorkableSocket) {}

  /** Call before sending a frame of `frameBytes`. */
  beforeSend(frameBytes: number): void {
    if (this.holding || frameBytes >= COALESCE_MAX_FRAME_BYTES) return;
    this.holding = true;
    this.socket.cork();
    setImmediate(() => {
      this.holding = false;
      this.socket.uncork();
    });
  }
}
