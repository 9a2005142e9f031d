import { createInbox, type Msg, type Subscription } from '@nats-io/transport-node';
import type { PeerSearchChunk } from '../../protocol/hub-to-hub/index.js';
import type { MatchedLine } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterMetrics, NatsLink } from './nats-link.js';
import { SEARCH_STOP_SUBJECT } from './subjects.js';

/** What both ends of a search across hubs need of the cluster. */
export interface GatherDeps {
  link: NatsLink;
  hubId: string;
  metrics: ClusterMetrics;
  logger: Logger;
  /** Longest silence from another hub before its answer is given up (a hub at work sends something every KEEP_ALIVE_MS). */
  timeoutMs: number;
}

/** How often a hub answering a search sends what it has (at least a keep-alive). */
export const KEEP_ALIVE_MS = 200;

/**
 * Sends one hub's answer to `reply` as chunks: lines are gathered until the chunk nears
 * `maxBytes`, or KEEP_ALIVE_MS passed, so a slow scan still shows it is alive.
 */
export class AnswerStream {
  private seq = 0;
  private lines: MatchedLine[] = [];
  private bytes = 0;
  private scannedBytes = 0;
  private totalBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly link: NatsLink,
    private readonly reply: string,
    private readonly hubId: string,
    private readonly maxBytes: number,
  ) {
    this.timer = setInterval(() => this.flush(false), KEEP_ALIVE_MS);
  }

  push(line: MatchedLine): void {
    const size = Buffer.byteLength(JSON.stringify(line)) + 1;
    if (this.bytes + size > this.maxBytes && this.lines.length > 0) this.flush(false);
    this.lines.push(line);
    this.bytes += size;
  }

  progress(scannedBytes: number, totalBytes: number): void {
    const first = this.seq === 0 && this.totalBytes === 0 && this.scannedBytes === 0;
    this.scannedBytes = scannedBytes;
    this.totalBytes = totalBytes;
    if (first) this.flush(false); // Tells the asking hub at once that this one is at work.
  }

  end(fields: Partial<PeerSearchChunk> = {}): void {
    clearInterval(this.timer);
    this.flush(true, fields);
  }

  private flush(last: boolean, fields: Partial<PeerSearchChunk> = {}): void {
    const chunk: PeerSearchChunk = { hub: this.hubId, seq: this.seq, last, lines: this.lines, scannedBytes: this.scannedBytes, totalBytes: this.totalBytes, ...fields };
    this.seq += 1;
    this.lines = [];
    this.bytes = 0;
    if (this.link.connected) this.link.nc.publish(this.reply, JSON.stringify(chunk));
  }
}

export interface GatherHandlers {
  /** One validated chunk of `hub`'s answer (in order); true when it was the last. */
  chunk(hub: string, chunk: unknown): boolean;
  fail(hub: string, reason: string): void;
  /** Something changed: a chunk came, a hub failed. */
  changed(): void;
}

/**
 * Publishes a query to every hub in `hubs` with one reply inbox and routes their chunks; a hub
 * silent for `timeoutMs`, or whose chunks come out of order, fails. `close` stops listening and
 * tells hubs still working to stop.
 */
export class Gather {
  private readonly subscription: Subscription;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly nextSeq = new Map<string, number>();
  readonly inbox: string;

  constructor(
    private readonly deps: GatherDeps,
    private readonly id: string,
    private readonly kind: 'search' | 'histogram',
    hubs: readonly string[],
    private readonly handlers: GatherHandlers,
  ) {
    for (const hub of hubs) {
      this.nextSeq.set(hub, 0);
      this.arm(hub);
    }
    this.inbox = createInbox();
    this.subscription = deps.link.nc.subscribe(this.inbox, { callback: (err, msg) => void (err || this.received(msg)) });
  }

  private arm(hub: string): void {
    clearTimeout(this.timers.get(hub));
    this.timers.set(
      hub,
      setTimeout(() => this.failHub(hub, `no answer within ${this.deps.timeoutMs} ms`), this.deps.timeoutMs),
    );
  }

  private failHub(hub: string, reason: string): void {
    if (!this.nextSeq.has(hub)) return;
    this.settle(hub);
    this.deps.metrics.queriesFailed.labels(this.kind).inc();
    this.deps.logger.warn({ peer: hub, reason }, `${this.kind}: another hub's answer is missing`);
    this.handlers.fail(hub, reason);
    this.handlers.changed();
  }

  private settle(hub: string): void {
    clearTimeout(this.timers.get(hub));
    this.timers.delete(hub);
    this.nextSeq.delete(hub);
  }

  private received(msg: Msg): void {
    let body: unknown;
    try {
      body = msg.json();
    } catch {
      return; // Not JSON: nobody's chunk.
    }
    const hub = typeof body === 'object' && body !== null && 'hub' in body ? String(body.hub) : undefined;
    const seq = typeof body === 'object' && body !== null && 'seq' in body ? body.seq : undefined;
    const expected = hub === undefined ? undefined : this.nextSeq.get(hub);
    if (hub === undefined || expected === undefined) return; // A hub not asked, or already settled.
    if (seq !== expected) {
      this.failHub(hub, `its answer came out of order (chunk ${String(seq)}, expected ${expected})`);
      return;
    }
    let last: boolean;
    try {
      last = this.handlers.chunk(hub, body);
    } catch {
      this.failHub(hub, 'it sent a malformed answer, or lines out of order');
      return;
    }
    if (last) this.settle(hub);
    else {
      this.nextSeq.set(hub, expected + 1);
      this.arm(hub);
    }
    this.handlers.changed();
  }

  close(): void {
    const working = [...this.nextSeq.keys()];
    for (const hub of working) this.settle(hub);
    this.subscription.unsubscribe();
    if (working.length > 0 && this.deps.link.connected) this.deps.link.nc.publish(SEARCH_STOP_SUBJECT, JSON.stringify({ from: this.deps.hubId, id: this.id }));
  }
}
