import type { HubToClient, MatchedLine } from '../../protocol/index.js';
import type { LateFlush, WaitingOutbox } from './late-flush.js';
import { OutboxQueue, estimateLinesBytes } from './outbox-queue.js';

/** The part of a ws WebSocket the outbox uses; tests pass a fake. */
export interface OutboxSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  /** The stream under the WebSocket, held around a flush so its messages leave in one write. */
  cork?(): void;
  uncork?(): void;
}

export interface OutboxOptions {
  /**
   * Bound on one viewer's queued lines (HubConfig.clientQueueBytes, estimated serialized bytes).
   * Past it the oldest queued lines are dropped and counted, so a viewer that stops reading costs
   * the hub this much memory at most.
   */
  maxQueueBytes: number;
  /** Do not hand the socket more while it holds this many unsent bytes (HubConfig.clientSocketHighWaterBytes). */
  highWaterBytes: number;
  /**
   * How long matches are coalesced while the socket still holds unsent bytes, and how often a
   * socket above the high-water mark is looked at again (HubConfig.clientFlushIntervalMs).
   */
  flushIntervalMs: number;
  /** Queued bytes that trigger a flush at once (HubConfig.clientFlushBytes). */
  flushBytes: number;
}

export interface OutboxHooks {
  /** Lines were dropped from this viewer's queue (for metrics). */
  onDropped?(count: number): void;
  /**
   * Control messages (answers the viewer asked for) piled up past the queue bound while the viewer
   * does not read: they cannot be dropped without breaking the protocol, so the session closes.
   */
  onOverflow?(): void;
}

/** Largest `matches` message built at once, so one send never hands the socket megabytes. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * One viewer's bounded send queue. When the socket is idle, what was queued during one event-loop
 * turn goes out at the end of that turn (low latency, and the batches of one turn share a message),
 * or after the batch being handled once it has waited MAX_TURN_WAIT_MS in a long turn (LateFlush);
 * while the socket still holds unsent bytes, matches are coalesced for a flush interval; above the
 * high-water mark nothing is sent and the queue grows up to its bound, then loses its oldest lines.
 * The viewer learns how many through a `dropped` message placed where the lines went missing.
 * Ingest only ever appends here.
 */
export class ViewerOutbox implements WaitingOutbox {
  private queue = new OutboxQueue();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  /** When the end-of-turn flush now pending was scheduled (performance.now()). */
  waitingSince = 0;

  constructor(
    private readonly socket: OutboxSocket,
    private readonly options: OutboxOptions,
    private readonly hooks: OutboxHooks = {},
    /** Sends lines that waited too long for the end of a long turn (shared by all viewers). */
    private readonly lateFlush?: LateFlush,
  ) {}

  /** Bytes waiting in this queue (lines and control messages). */
  get queuedBytes(): number {
    return this.queue.lineBytes + this.queue.controlBytes;
  }

  /** Queues lines for `sub`. `lines` is shared with other viewers and must not be mutated. */
  sendLines(sub: string, lines: readonly MatchedLine[], backlog = false): void {
    if (this.closed || lines.length === 0) return;
    this.queue.pushLines(sub, lines, estimateLinesBytes(lines), backlog);
    this.afterPush();
  }

  /** Queues a control message in stream order; `replaceKey` lets a newer one replace a waiting one. */
  sendMessage(message: HubToClient, replaceKey?: string): void {
    this.sendText(JSON.stringify(message), replaceKey);
  }

  /** Like sendMessage, for a message serialized once for many viewers. */
  sendText(text: string, replaceKey?: string): void {
    if (this.closed) return;
    this.queue.pushControl(text, replaceKey);
    this.afterPush();
  }

  /** Sends as much as the socket takes now. */
  flush(): void {
    if (this.closed) return;
    this.lateFlush?.remove(this);
    // Messages leave in writes of up to the high-water mark: a viewer that has read `subscribed`
    // has its backlog right behind it, sent by the same system call (a hub killed in between could
    // lose the backlog otherwise), and many messages cost one syscall. Corked, every message counts
    // as buffered until the write; whatever the kernel takes frees room for the next write.
    while (this.socket.bufferedAmount <= this.options.highWaterBytes && !this.queue.isEmpty) {
      this.socket.cork?.();
      try {
        while (this.socket.bufferedAmount <= this.options.highWaterBytes) {
          const message = this.queue.takeMessage(MAX_MESSAGE_BYTES);
          if (message === undefined) break;
          this.socket.send(message);
        }
      } finally {
        this.socket.uncork?.();
      }
    }
    // Still something left: the socket is full. Look again after an interval (unless a look is
    // already scheduled); a slow viewer is polled, never waited on.
    if (this.queue.isEmpty) this.cancelTimers();
    else this.schedule(this.options.flushIntervalMs);
  }

  /** Stops all sending and frees the queue. */
  close(): void {
    this.closed = true;
    this.lateFlush?.remove(this);
    this.cancelTimers();
    // A closed viewer's socket may take a while to go; what it will never be sent is let go now.
    this.queue = new OutboxQueue();
  }

  private afterPush(): void {
    if (this.queuedBytes >= this.options.flushBytes) this.flush();
    this.enforceBound();
    if (this.closed || this.queue.isEmpty || this.timer || this.immediate) return;
    if (this.socket.bufferedAmount === 0) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
      this.waitingSince = performance.now();
      this.lateFlush?.add(this);
    } else {
      this.schedule(this.options.flushIntervalMs);
    }
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private enforceBound(): void {
    const { maxQueueBytes } = this.options;
    if (this.queuedBytes <= maxQueueBytes) return;
    const dropped = this.queue.dropOldest(Math.max(0, maxQueueBytes - this.queue.controlBytes));
    if (dropped > 0) this.hooks.onDropped?.(dropped);
    if (this.queue.controlBytes > maxQueueBytes && this.queue.controlCount > 1) {
      this.close();
      this.hooks.onOverflow?.();
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delayMs);
  }
}
