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
 * write each. Following many busy files, the agent reads each file as soon as it changes: a writer
 * appending to 20 files every 10 ms makes 2,000 small frames a second, and one system call per
 * frame was a third of the agent's CPU. The kernel's change events for those files arrive together,
 * so their frames are written together; holding them until setImmediate adds microseconds.
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
