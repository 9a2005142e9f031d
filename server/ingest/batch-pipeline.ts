import type { Backlog, StoredBatch } from '../backlog/backlog.js';
import type { FilterEngine } from '../filter/filter-engine.js';
import type { LateFlush } from '../viewers/late-flush.js';
import { limitLineLength, type LimitedBody } from './line-limit.js';
import type { MatchRouter } from '../filter/match-router.js';
import type { HubMetrics } from '../metrics.js';
import type { RedactedBody, Redactor } from '../../lib/redaction/redactor.js';
import type { AgentRedaction } from '../../protocol/index.js';
import type { Source, SourceRegistry } from './source-registry.js';
import type { HistoryStore } from '../history/history-store.js';
import type { ResumeMark } from '../history/wal.js';

/** A batch of lines as an agent (or, later, another hub) hands it over. */
export interface IncomingBatch {
  /** `\n`-ended lines; may be a view into a socket buffer, so it is copied before being kept. */
  body: Buffer;
  ts: number;
  lineCount: number;
  /** Body offsets of lines cut by the sender. */
  truncated?: readonly number[] | undefined;
  /** The digest of the rules the sender already applied to `body` (see AgentRedaction). */
  redaction?: string | undefined;
  /** Secrets the sender replaced, by rule name. */
  redactions?: Readonly<Record<string, number>> | undefined;
  /** The name of the agent token the sender connected with; its redaction is trusted only if listed in `trustedAgents`. */
  sender?: string | undefined;
  /** How far the sender's file generation is taken in with this batch: kept in history for the welcome after a restart. */
  resume?: ResumeMark | undefined;
}

/**
 * The body to keep in the backlog. A view into a socket read that also holds other frames would pin
 * all of that memory for as long as the batch is kept, so it is copied. A large frame (the usual case
 * when an agent catches up) already has a buffer of its own, allocated by the WebSocket receiver to
 * join the reads it spanned, and is kept without another copy.
 *
 * The copy is made outside Node's shared Buffer pool: `Buffer.from` puts anything under half of
 * `Buffer.poolSize` in a pool slab, and since Node 24.18 a slab is 64 KiB (8 KiB before), as large as
 * the socket read the copy is meant to let go. The same goes for a body the line limit or the
 * redactor rebuilt with `Buffer.concat`.
 */
export function ownedBody(body: Buffer): Buffer {
  if (body.length * 2 >= body.buffer.byteLength) return body;
  const copy = Buffer.allocUnsafeSlow(body.length);
  body.copy(copy);
  return copy;
}

/** Sees every batch once it is stored, before matching: the hook for forwarding to other hubs. */
export type BatchTap = (source: Source, batch: StoredBatch) => void;

export interface BatchPipelineDeps {
  registry: SourceRegistry;
  backlog: Backlog;
  engine: FilterEngine;
  router: MatchRouter;
  metrics: HubMetrics;
  maxLineBytes: number;
  /** Replaces secrets in each batch before it is stored or matched (docs/security.md); absent: none. */
  redactor?: Pick<Redactor, 'redactBody' | 'ruleNames'> | undefined;
  /**
   * The redactor's rules as offered to agents in their welcome. A batch that names this offer's
   * digest, from an agent token in `trustedAgents`, was redacted by its agent with exactly these
   * rules and is not scanned again; absent: the hub scans every batch.
   */
  agentRedaction?: AgentRedaction | undefined;
  /**
   * Names of the agent tokens whose word the hub takes that a batch is redacted. Anyone holding any
   * other agent token could name the digest to send secrets past redaction, so their batches are
   * scanned like any other. Absent or empty: every batch is scanned.
   */
  trustedAgents?: ReadonlySet<string> | undefined;
  /** Viewers' outboxes waiting for the end of a long turn; asked after each batch. */
  lateFlush?: LateFlush | undefined;
  /** The on-disk history (absent with history off): every batch is written to it before it is matched. */
  history?: Pick<HistoryStore, 'append'> | undefined;
}

/**
 * What happens to a batch once the hub decides to take it in: enforce the line limit, number its
 * lines (stream positions), store it in the backlog, match every live filter once, hand the
 * matches to subscribers. All synchronous: when `take` returns, the batch is stored (in history
 * too, when it is on) and queued to every viewer, which is what an ack promises.
 */
export class BatchPipeline {
  private readonly taps = new Set<BatchTap>();
  private seq = 0;

  /** Rule names the redactor knows: the only labels agents' counts may add to the metrics. */
  private readonly ruleNames: ReadonlySet<string>;
  /** The scan counters by where the scan ran, looked up once rather than per batch. */
  private readonly scans: Record<'agent' | 'hub', ReturnType<HubMetrics['redactionScans']['labels']>>;

  constructor(private readonly deps: BatchPipelineDeps) {
    this.ruleNames = new Set(deps.redactor?.ruleNames ?? []);
    this.scans = { agent: deps.metrics.redactionScans.labels('agent'), hub: deps.metrics.redactionScans.labels('hub') };
  }

  /** What agents are offered in their welcome, to redact before they send. */
  get agentRedaction(): AgentRedaction | undefined {
    return this.deps.redactor ? this.deps.agentRedaction : undefined;
  }

  take(source: Source, incoming: IncomingBatch): void {
    const { registry, backlog, engine, router, metrics } = this.deps;
    // Cut first, then redact: lines cut here or by the agent lose their last token in redaction
    // (Redactor.redactBody), so no part of a secret the cut went through is kept.
    const limited = limitLineLength(incoming.body, incoming.truncated, this.deps.maxLineBytes);
    const truncatedCount = limited.truncated?.size ?? 0;
    if (truncatedCount > 0) metrics.truncatedLines.inc(truncatedCount);
    // Before storing and matching: no filter can then find, and no backlog, context or live line
    // can show, what the rules hide (a filter matching a secret would confirm it by the match).
    const clean = this.redact(incoming, limited);
    const batch: StoredBatch = {
      body: ownedBody(clean.body),
      firstPos: source.pos,
      ts: incoming.ts,
      truncated: clean.truncated,
      seq: ++this.seq,
    };
    // Written (to the page cache) before the ack this call leads to; a failing disk is the store's to report.
    this.deps.history?.append(source, batch, incoming.resume);
    registry.noteTaken(source, batch.body.length, incoming.lineCount, incoming.ts);
    backlog.append(source, batch);
    for (const tap of this.taps) tap(source, batch);
    const matched = router.dispatch(engine.matchBatch(source, batch), source);
    if (matched > 0) metrics.linesMatched.inc(matched);
    this.deps.lateFlush?.sendLate();
  }

  /**
   * The body with its secrets replaced: by the hub's own scan, unless a trusted sender applied the
   * very rules offered to agents. A sender that says it applied them has its counts taken (for
   * names the hub knows), trusted or not: the hub's scan finds nothing more to count in what the
   * sender replaced.
   */
  private redact(incoming: IncomingBatch, limited: LimitedBody): RedactedBody {
    const { redactor, agentRedaction, trustedAgents, metrics } = this.deps;
    if (!redactor) return limited;
    const redactedBySender = agentRedaction !== undefined && incoming.redaction === agentRedaction.digest;
    if (redactedBySender && incoming.redactions) {
      for (const [rule, count] of Object.entries(incoming.redactions)) {
        if (this.ruleNames.has(rule)) metrics.redactions.labels(rule).inc(count);
      }
    }
    if (redactedBySender && incoming.sender !== undefined && trustedAgents?.has(incoming.sender) === true) {
      this.scans.agent.inc();
      return limited;
    }
    this.scans.hub.inc();
    return redactor.redactBody(limited.body, limited.truncated) ?? limited;
  }

  /** Registers a tap; returns the function that removes it. */
  tap(listener: BatchTap): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }
}
