import type { Msg, Subscription } from '@nats-io/transport-node';
import type { ClusterBatchHeader } from '../../protocol/hub-to-hub/index.js';
import { decodeClusterBatch, encodeClusterBatch } from '../../protocol/hub-to-hub/cluster-batch-codec.js';
import type { Logger } from '../../lib/logger.js';
import type { Backlog, StoredBatch } from '../backlog/backlog.js';
import type { BatchPipeline } from '../ingest/batch-pipeline.js';
import { RateWindow } from '../ingest/rate-window.js';
import type { Source } from '../ingest/source-registry.js';
import type { SourceRef } from '../filter/batch-lines.js';
import { InterestSet } from './interest.js';
import type { ClusterMetrics, NatsLink } from './nats-link.js';
import { lineSubject } from './subjects.js';

const NEWLINE = 0x0a;
/** Room left in a NATS message for the batch header and the protocol's own framing. */
const HEADER_ALLOWANCE_BYTES = 8 * 1024;

/** A source another hub ingests, as this hub holds it: its lines keep the other hub's ids. */
interface RemoteSource {
  source: Source;
  /** Position just after the last line held; a batch starting elsewhere opens a new ring. */
  nextPos: number;
}

export interface LineBridgeDeps {
  link: NatsLink;
  hubId: string;
  pipeline: BatchPipeline;
  backlog: Backlog;
  metrics: ClusterMetrics;
  logger: Logger;
  /** Longest wait for NATS to confirm new subscriptions (HubConfig.natsTimeoutMs). */
  flushTimeoutMs: number;
  /** Remote sources silent for this long are forgotten with their backlog (HubConfig.agentForgetAfterMs). */
  forgetAfterMs: number;
}

function countLines(body: Buffer): number {
  let count = 0;
  for (let at = body.indexOf(NEWLINE); at !== -1; at = body.indexOf(NEWLINE, at + 1)) count += 1;
  return count;
}

/**
 * Carries lines between this hub and the others. Every batch this hub's agents send is published
 * on its source's subject (`pipeline.tap`); batches from other hubs arrive on the subjects this
 * hub's viewers need (InterestSet) and go through this hub's pipeline as if an agent had sent
 * them, under the ids the ingesting hub gave them. A hub never republishes what it received.
 */
export class LineBridge {
  readonly interest = new InterestSet();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly remote = new Map<string, RemoteSource>();
  /** Remote sources by object, so the tap and the pin counter can tell them from this hub's own. */
  private readonly remoteSources = new WeakSet<SourceRef>();
  private readonly localPrefix: string;
  private readonly untap: () => void;

  constructor(private readonly deps: LineBridgeDeps) {
    this.localPrefix = `${deps.hubId}-`;
    this.untap = deps.pipeline.tap((source, batch) => this.publish(source, batch));
  }

  /** True for sources of this hub's own agents. */
  isLocal(source: SourceRef): boolean {
    return !this.remoteSources.has(source);
  }

  /** The ring-holding source for a line id prefix of another hub, if this hub received any of its lines. */
  remoteSource(prefix: string): Source | undefined {
    return this.remote.get(prefix)?.source;
  }

  private publish(source: Source, batch: StoredBatch): void {
    if (this.remoteSources.has(source) || !source.idPrefix.startsWith(this.localPrefix)) return;
    const { link, metrics } = this.deps;
    const lines = countLines(batch.body);
    if (!link.connected) {
      // Not queued: a NATS outage of minutes would otherwise grow the hub without bound. The lines
      // stay in this hub's backlog, where other hubs' backlog and context requests find them later.
      metrics.linesUnpublished.inc(lines);
      return;
    }
    const subject = lineSubject(source.host, source.file);
    const maxBody = Math.max(64 * 1024, link.nc.info!.max_payload - HEADER_ALLOWANCE_BYTES);
    let start = 0;
    while (start < batch.body.length) {
      let end = batch.body.length;
      if (end - start > maxBody) {
        // Cut at the last line end within the limit; a single line is never longer than maxLineBytes.
        const cut = batch.body.lastIndexOf(NEWLINE, start + maxBody - 1);
        end = cut >= start ? cut + 1 : batch.body.indexOf(NEWLINE, start) + 1;
      }
      const body = batch.body.subarray(start, end);
      const truncated = batch.truncated && [...batch.truncated].filter((offset) => offset >= start && offset < end).map((offset) => offset - start);
      const header: ClusterBatchHeader = {
        hub: this.deps.hubId,
        src: source.num,
        host: source.host,
        file: source.file,
        pos: batch.firstPos + start,
        ts: batch.ts,
        lineCount: start === 0 && end === batch.body.length ? lines : countLines(body),
        ...(truncated && truncated.length > 0 ? { truncated } : {}),
      };
      const frame = encodeClusterBatch(header, body);
      try {
        link.nc.publish(subject, frame);
        metrics.bytesPublished.inc(frame.length);
      } catch (err) {
        metrics.linesUnpublished.inc(header.lineCount);
        this.deps.logger.warn({ err, subject }, 'could not publish a batch to NATS');
      }
      start = end;
    }
    metrics.linesPublished.inc(lines);
  }

  /**
   * Brings the NATS subscriptions in line with the interest set. Resolves once the server has
   * them (a flush round trip), so lines published from then on reach this hub; resolves at once
   * while NATS is down (the client subscribes again when it returns).
   */
  async applyInterest(): Promise<void> {
    const wanted = new Set(this.deps.link.nc.isClosed() ? [] : this.interest.subjects);
    for (const [subject, subscription] of this.subscriptions) {
      if (wanted.has(subject)) continue;
      subscription.unsubscribe();
      this.subscriptions.delete(subject);
    }
    for (const subject of wanted) {
      if (this.subscriptions.has(subject)) continue;
      this.subscriptions.set(subject, this.deps.link.nc.subscribe(subject, { callback: (err, msg) => {
        if (!err) this.receive(msg);
      } }));
    }
    this.deps.metrics.subjects.set(this.subscriptions.size);
    if (!this.deps.link.connected) return;
    // Bounded: a flush sent just as NATS goes away waits for the reconnection otherwise.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.deps.link.nc.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.deps.flushTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private receive(msg: Msg): void {
    const { metrics, pipeline, backlog } = this.deps;
    let decoded: ReturnType<typeof decodeClusterBatch>;
    try {
      decoded = decodeClusterBatch(msg.data);
    } catch (err) {
      metrics.batchesRejected.inc();
      this.deps.logger.warn({ err, subject: msg.subject }, 'malformed line batch from NATS; dropped');
      return;
    }
    const { header, body } = decoded;
    if (header.hub === this.deps.hubId) return;
    const prefix = `${header.hub}-${header.src}-`;
    let entry = this.remote.get(prefix);
    if (entry && header.pos < entry.nextPos) return; // already held: two subjects of ours matched it
    if (!entry) {
      entry = { source: this.newSource(header, prefix), nextPos: header.pos };
      this.remote.set(prefix, entry);
    } else if (header.pos > entry.nextPos) {
      // Lines missing in between (this hub was not interested, or NATS was down): the ring must
      // stay contiguous for context queries, so the old lines go.
      metrics.gaps.inc();
      backlog.forget(entry.source);
    }
    entry.source.pos = header.pos;
    entry.nextPos = header.pos + body.length;
    metrics.linesReceived.inc(header.lineCount);
    metrics.bytesReceived.inc(msg.data.length);
    pipeline.take(entry.source, {
      body,
      ts: header.ts,
      lineCount: header.lineCount,
      truncated: header.truncated,
    });
  }

  private newSource(header: ClusterBatchHeader, prefix: string): Source {
    const source: Source = {
      num: header.src,
      host: header.host,
      file: header.file,
      idPrefix: prefix,
      pos: header.pos,
      lastTs: undefined,
      lastSeenMs: Date.now(),
      rate: new RateWindow(),
    };
    this.remoteSources.add(source);
    return source;
  }

  /** Forgets remote sources silent for forgetAfterMs, with their backlog. */
  prune(nowMs = Date.now()): void {
    for (const [prefix, entry] of this.remote) {
      if (nowMs - entry.source.lastSeenMs < this.deps.forgetAfterMs) continue;
      this.remote.delete(prefix);
      this.deps.backlog.forget(entry.source);
    }
  }

  close(): void {
    this.untap();
    for (const subscription of this.subscriptions.values()) subscription.unsubscribe();
    this.subscriptions.clear();
  }
}
