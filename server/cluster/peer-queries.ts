import { createInbox, type Msg, type Subscription } from '@nats-io/transport-node';
import {
  backlogChunkSchema,
  backlogQuerySchema,
  contextAnswerSchema,
  contextQuerySchema,
  type BacklogChunk,
  type ContextAnswer,
  type ContextQuery,
} from '../../protocol/hub-to-hub/index.js';
import type { FilterSpec, LogLine, MatchedLine } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { contextLines, replayBacklog } from '../backlog/backlog-queries.js';
import type { Backlog } from '../backlog/backlog.js';
import { compileFilter } from '../filter/filter-compiler.js';
import type { SourceRegistry } from '../ingest/source-registry.js';
import type { ClusterMetrics, NatsLink } from './nats-link.js';
import { BACKLOG_SUBJECT, contextSubject } from './subjects.js';

export interface PeerQueriesDeps {
  link: NatsLink;
  hubId: string;
  registry: SourceRegistry;
  backlog: Backlog;
  metrics: ClusterMetrics;
  logger: Logger;
  /** How long a backlog scatter-gather or a context request waits for other hubs. */
  timeoutMs: number;
  /** The other hubs alive now (Presence). */
  peers(): string[];
}

/** Rough JSON size of a line, to keep each answer chunk well under NATS's max_payload. */
function estimateBytes(line: LogLine): number {
  return line.line.length * 2 + line.file.length + line.host.length + 120;
}

function chunked<T extends LogLine>(lines: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [[]];
  let bytes = 0;
  for (const line of lines) {
    const size = estimateBytes(line);
    if (bytes + size > maxBytes && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1]!.push(line);
    bytes += size;
  }
  return chunks;
}

/**
 * Backlog and context across hubs, over NATS request/reply. Each hub answers `sg.backlog` with the
 * newest matching lines of its own agents, and `sg.ctx.<its id>` with the lines around one of its
 * line ids, straight from its backlog rings. Answers never wait: a hub that does not answer within
 * `timeoutMs` is left out, and the viewer gets what the others had.
 */
export class PeerQueries {
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly deps: PeerQueriesDeps) {
    const { nc } = deps.link;
    this.subscriptions.push(
      nc.subscribe(BACKLOG_SUBJECT, { callback: (err, msg) => void (err || this.answerBacklog(msg)) }),
      nc.subscribe(contextSubject(deps.hubId), { callback: (err, msg) => void (err || this.answerContext(msg)) }),
    );
  }

  private maxChunkBytes(): number {
    return Math.floor((this.deps.link.nc.info?.max_payload ?? 1024 * 1024) / 2);
  }

  private answerBacklog(msg: Msg): void {
    if (!msg.reply) return;
    try {
      const query = backlogQuerySchema.parse(msg.json());
      if (query.from === this.deps.hubId) return;
      const filter = compileFilter(query.filter);
      const lines = replayBacklog(this.deps.backlog, this.deps.registry.sources(), filter, query.limit);
      const chunks = chunked(lines, this.maxChunkBytes());
      chunks.forEach((part, seq) => {
        const chunk: BacklogChunk = { hub: this.deps.hubId, seq, last: seq === chunks.length - 1, lines: part };
        msg.respond(JSON.stringify(chunk));
      });
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not answer a backlog request from another hub');
    }
  }

  private answerContext(msg: Msg): void {
    if (!msg.reply) return;
    try {
      const query = contextQuerySchema.parse(msg.json());
      const resolved = this.deps.registry.resolveLineId(query.id);
      const ring = resolved && this.deps.backlog.ring(resolved.source);
      const lines = ring && contextLines(ring, resolved.pos, query.before, query.after);
      const answer: ContextAnswer = { found: lines !== undefined, lines: lines ?? [] };
      msg.respond(JSON.stringify(answer));
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not answer a context request from another hub');
    }
  }

  /**
   * The newest `limit` lines `filter` matches on every other hub alive, one list per hub (each in
   * that hub's arrival order). Waits for every known peer's last chunk or `timeoutMs`.
   */
  async gatherBacklog(filter: FilterSpec, limit: number): Promise<MatchedLine[][]> {
    const { link, metrics } = this.deps;
    const expected = new Set(this.deps.peers());
    if (!link.connected || expected.size === 0 || limit <= 0) return [];
    const perHub = new Map<string, MatchedLine[]>();
    const done = new Set<string>();
    const inbox = createInbox();
    return new Promise((resolve) => {
      let subscription: Subscription | undefined;
      const finish = () => {
        clearTimeout(timer);
        subscription?.unsubscribe();
        resolve([...perHub.values()]);
      };
      const timer = setTimeout(() => {
        metrics.queriesFailed.labels('backlog').inc();
        this.deps.logger.warn({ waitingFor: [...expected].filter((hub) => !done.has(hub)) }, 'backlog: some hubs did not answer in time');
        finish();
      }, this.deps.timeoutMs);
      subscription = link.nc.subscribe(inbox, {
        callback: (err, msg) => {
          if (err) return;
          let chunk: BacklogChunk;
          try {
            chunk = backlogChunkSchema.parse(msg.json());
          } catch {
            return; // A malformed answer is left out like a missing one.
          }
          const lines = perHub.get(chunk.hub) ?? [];
          lines.push(...chunk.lines);
          perHub.set(chunk.hub, lines);
          if (chunk.last) done.add(chunk.hub);
          if ([...expected].every((hub) => done.has(hub))) finish();
        },
      });
      link.nc.publish(BACKLOG_SUBJECT, JSON.stringify({ from: this.deps.hubId, filter, limit }), { reply: inbox });
    });
  }

  /** Asks `hubId` for the lines around `query.id`; undefined when it cannot be asked or does not answer. */
  async context(hubId: string, query: ContextQuery): Promise<ContextAnswer | undefined> {
    const { link, metrics } = this.deps;
    if (!link.connected) return undefined;
    try {
      const reply = await link.nc.request(contextSubject(hubId), JSON.stringify(query), { timeout: this.deps.timeoutMs });
      return contextAnswerSchema.parse(reply.json());
    } catch (err) {
      metrics.queriesFailed.labels('context').inc();
      this.deps.logger.debug({ err, hubId, id: query.id }, 'context request to another hub failed');
      return undefined;
    }
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
