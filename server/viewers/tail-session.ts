import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  clientToHubSchema,
  parseMessage,
  type ClientHello,
  type ContextRequest,
  type Deploy,
  type ErrorCode,
  type LogLine,
  type MatchedLine,
  type SourceAgent,
  type Subscribe,
} from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { Authenticator, Identity } from '../access/authenticator.js';
import { HeldLines, mergeBacklogs, type ClusterViewerHooks } from '../cluster/cluster-viewer.js';
import { contextLines, replayBacklog } from '../backlog/backlog-queries.js';
import type { Backlog } from '../backlog/backlog.js';
import type { HubConfig } from '../config.js';
import { ViewerOutbox } from './viewer-outbox.js';
import { FilterError } from '../filter/filter-engine.js';
import type { LateFlush } from './late-flush.js';
import type { MatchRouter, RoutedSubscription } from '../filter/match-router.js';
import type { HubMetrics } from '../metrics.js';
import { closeReason, sendIfOpen, toBuffer } from '../transport/socket-util.js';
import type { SourceRef } from '../filter/batch-lines.js';
import { subscribeOverLimit } from './subscribe-limits.js';
import { backlogWithDeploys, oldestTs } from '../deploys/deploy-replay.js';

/** The part of the hub's source registry a viewer reads: every source, and where a line id points. */
interface SourceDirectory {
  sources(): Iterable<SourceRef>;
  resolveLineId(id: string): { source: SourceRef; pos: number } | undefined;
  /** Agents and their files, for the `sources` message. */
  snapshot(): SourceAgent[];
}

export interface TailSessionDeps {
  config: HubConfig;
  logger: Logger;
  hubId: string;
  router: MatchRouter;
  backlog: Backlog;
  registry: SourceDirectory;
  metrics: HubMetrics;
  access: Authenticator;
  /** The current `sources` message, serialized once for every viewer. */
  sourcesText(): string;
  /** Shared with the pipeline: sends lines that waited too long for the end of a long turn. */
  lateFlush?: LateFlush | undefined;
  /** With --nats: other hubs' lines, backlog and context (server/cluster/); absent on a single hub. */
  cluster?: ClusterViewerHooks | undefined;
  /** Context of this hub's lines older than the backlog, from history; absent with history off. */
  historyContext?: ((id: string, before: number, after: number) => LogLine[] | undefined) | undefined;
  /** Deploy markers that started in [from, to], oldest first: replayed among a backlog. */
  deploysBetween?: ((from: number, to: number) => Deploy[]) | undefined;
}

/**
 * One viewer connection: hello (token, protocol version), then subscribe / unsubscribe / context.
 * Everything it sends goes through its ViewerOutbox, in order; a malformed message closes this
 * connection only.
 */
export class TailSession {
  readonly outbox: ViewerOutbox;
  private viewer: string | undefined;
  private client: string | undefined;
  private ready = false;
  private closed = false;
  private readonly subscriptions = new Map<string, RoutedSubscription>();
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    /** The upgraded connection under `socket`: the outbox corks it around each flush. */
    stream: Pick<Duplex, 'cork' | 'uncork'>,
    private readonly remote: string | undefined,
    /** Who the upgrade's headers named (a valid bearer token or a trusted proxy's identity), if anyone. */
    private readonly headerIdentity: Identity | undefined,
    private readonly deps: TailSessionDeps,
    private readonly onEnd: (session: TailSession) => void,
  ) {
    const { config, metrics } = deps;
    this.outbox = new ViewerOutbox(
      {
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send: (data) => socket.send(data),
        cork: () => stream.cork(),
        uncork: () => stream.uncork(),
      },
      {
        maxQueueBytes: config.clientQueueBytes,
        highWaterBytes: config.clientSocketHighWaterBytes,
        flushIntervalMs: config.clientFlushIntervalMs,
        flushBytes: config.clientFlushBytes,
      },
      {
        onDropped: (count) => metrics.clientDroppedLines.inc(count),
        onOverflow: () => this.closeSlow(),
      },
      deps.lateFlush,
    );
    this.helloTimer = setTimeout(() => this.protocolError(`no hello within ${config.helloTimeoutMs} ms`), config.helloTimeoutMs);
    metrics.viewers.inc();
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', (code) => this.onClose(code));
    socket.on('error', (err) => {
      // ws reports oversized or invalid frames here and closes the socket itself.
      metrics.protocolErrors.labels('client').inc();
      deps.logger.warn({ viewer: this.viewer, remote, reason: err.message }, 'viewer socket error');
    });
  }

  get isReady(): boolean {
    return this.ready && !this.closed;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.protocolError('binary messages are not accepted from viewers');
    const text = toBuffer(data).toString('utf8');
    const parsed = parseMessage(clientToHubSchema, text);
    if (!parsed.ok) {
      const overLimit = this.ready ? subscribeOverLimit(text) : undefined;
      if (overLimit) return this.requestError('SG_ERR_LIMIT', overLimit.message, overLimit.sub);
      return this.protocolError(`invalid message: ${parsed.error}`);
    }
    const message = parsed.value;
    try {
      if (message.type === 'hello') return this.onHello(message);
      if (!this.ready) return this.protocolError(`the first message must be hello, not ${message.type}`);
      if (message.type === 'subscribe') return this.onSubscribe(message);
      if (message.type === 'unsubscribe') return this.unsubscribe(message.sub);
      return this.onContext(message);
    } catch (err) {
      this.deps.logger.error({ err, viewer: this.viewer, remote: this.remote, type: message.type }, 'viewer message handling failed');
      this.fail('SG_ERR_INTERNAL', 'the hub failed to handle this message', 1011);
    }
  }

  private onHello(hello: ClientHello): void {
    if (this.ready) return this.protocolError('hello was already received');
    clearTimeout(this.helloTimer);
    const { hubId, logger, access } = this.deps;
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return this.fail(
        'SG_ERR_VERSION',
        `protocol version ${hello.protocolVersion} is not supported; this hub speaks version ${PROTOCOL_VERSION}`,
        CLOSE_CODES.versionMismatch,
      );
    }
    const credentials = this.headerIdentity ? { kind: 'identified' as const, identity: this.headerIdentity } : access.hello(hello.token);
    if (credentials.kind === 'refused') {
      logger.warn({ remote: this.remote, client: hello.client, reason: credentials.message }, 'viewer refused');
      const closeCode = credentials.status === 401 ? CLOSE_CODES.unauthorized : CLOSE_CODES.forbidden;
      return this.fail(credentials.code, credentials.message, closeCode);
    }
    this.viewer = credentials.identity.name;
    this.client = hello.client;
    this.ready = true;
    this.outbox.sendMessage({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      hubId,
      ...(this.viewer === undefined ? {} : { viewer: this.viewer }),
      role: credentials.identity.role,
      serverTime: Date.now(),
      limits: {
        maxBacklogLines: DEFAULT_LIMITS.maxBacklogLines,
        maxContextLines: DEFAULT_LIMITS.maxContextLines,
        maxPatternLength: DEFAULT_LIMITS.maxPatternLength,
      },
    });
    this.sendSources(this.deps.sourcesText());
    logger.info({ viewer: this.viewer, client: this.client, remote: this.remote }, 'viewer connected');
  }

  private onSubscribe(message: Subscribe): void {
    const { sub } = message;
    const { config, router, metrics, logger, backlog, registry } = this.deps;
    const existing = this.subscriptions.get(sub);
    if (!existing && this.subscriptions.size >= config.maxSubscriptionsPerViewer) {
      return this.requestError(
        'SG_ERR_LIMIT',
        `this connection already holds the most subscriptions one viewer may (maxSubscriptionsPerViewer: ${config.maxSubscriptionsPerViewer}); unsubscribe one first`,
        sub,
      );
    }
    let routed: RoutedSubscription;
    // In a cluster, live lines wait while the other hubs' backlog is gathered (backlog comes first).
    const held = this.deps.cluster && new HeldLines();
    // Costly filters this connection holds besides the one `sub` names, which this one replaces.
    let costlyHeld = 0;
    for (const [name, subscription] of this.subscriptions) if (name !== sub && subscription.filter.costly) costlyHeld += 1;
    try {
      routed = router.subscribe(
        message.filter,
        {
          deliver: (lines) => (held?.holding ? held.push(lines) : this.outbox.sendLines(sub, lines)),
          suspended: (error) => this.onSuspended(sub, routed, error),
        },
        costlyHeld,
      );
    } catch (err) {
      if (!(err instanceof FilterError)) throw new Error('subscribe', { cause: err });
      // The replaced filter ends too: the viewer asked for a different one and must not keep
      // receiving the old one's lines under the same name.
      this.unsubscribe(sub);
      if (err.code === 'SG_ERR_TOO_EXPENSIVE') {
        logger.warn({ viewer: this.viewer, remote: this.remote, sub, reason: err.message }, 'too expensive a filter');
      } else {
        metrics.badPatterns.inc();
        logger.info({ viewer: this.viewer, remote: this.remote, sub, reason: err.message }, 'bad pattern');
      }
      return this.requestError(err.code, err.message, sub);
    }
    existing?.close();
    if (held) return this.subscribeInCluster(message, routed, held);
    this.subscriptions.set(sub, routed);
    this.outbox.sendMessage({ type: 'subscribed', sub, filter: message.filter });
    if (message.backlog) {
      // Synchronous, before any further batch can be ingested: backlog and live lines cannot interleave.
      const lines = replayBacklog(backlog, registry.sources(), routed.filter, message.backlog);
      this.sendBacklog(sub, lines);
    }
  }

  /**
   * `subscribed` once the other hubs' lines for this filter reach this hub, then this hub's and the
   * other hubs' backlog merged, then the live lines held meanwhile.
   */
  private subscribeInCluster(message: Subscribe, routed: RoutedSubscription, held: HeldLines): void {
    const { sub } = message;
    const limit = message.backlog ?? 0;
    // Taken now, while live lines are held: nothing can fall between the two.
    const local = limit > 0 ? replayBacklog(this.deps.backlog, this.deps.registry.sources(), routed.filter, limit) : [];
    const joined = this.deps.cluster!.join(routed.filter, limit);
    const subscription: RoutedSubscription = {
      filter: routed.filter,
      close: () => {
        routed.close();
        joined.leave();
      },
    };
    this.subscriptions.set(sub, subscription);
    void joined.ready.then((remote) => {
      if (this.closed || this.subscriptions.get(sub) !== subscription) return;
      this.outbox.sendMessage({ type: 'subscribed', sub, filter: message.filter });
      if (limit > 0) this.sendBacklog(sub, mergeBacklogs(local, remote, limit, held.ids()));
      if (held.dropped > 0) this.outbox.sendMessage({ type: 'dropped', sub, count: held.dropped });
      held.release((lines) => this.outbox.sendLines(sub, lines));
    });
  }

  /**
   * Backlog lines as `matches` with `backlog: true`, and the deploys that started since the oldest
   * of them as `deploy` messages with `replay: true` at their place in time among them.
   */
  private sendBacklog(sub: string, lines: readonly MatchedLine[]): void {
    const since = oldestTs(lines);
    const deploys = since === undefined || !this.deps.deploysBetween ? [] : this.deps.deploysBetween(since, Date.now());
    for (const part of backlogWithDeploys(lines, deploys)) {
      if ('deploy' in part) this.outbox.sendMessage({ type: 'deploy', deploy: part.deploy, sub, replay: true });
      else this.outbox.sendLines(sub, part.lines, true);
    }
  }

  /** The engine stopped `routed`'s filter for the time it took: the subscription ends with the reason. */
  private onSuspended(sub: string, routed: RoutedSubscription, error: FilterError): void {
    const current = this.subscriptions.get(sub);
    if (this.closed || (current !== undefined && current.filter !== routed.filter)) return;
    this.deps.logger.warn({ viewer: this.viewer, remote: this.remote, sub, reason: error.message }, 'filter suspended');
    this.unsubscribe(sub);
    this.requestError(error.code, error.message, sub);
  }

  private unsubscribe(sub: string): void {
    this.subscriptions.get(sub)?.close();
    this.subscriptions.delete(sub);
  }

  private onContext(request: ContextRequest): void {
    const { registry, backlog } = this.deps;
    const resolved = registry.resolveLineId(request.id);
    const ring = resolved && backlog.ring(resolved.source);
    const lines = (ring && contextLines(ring, resolved.pos, request.before, request.after)) ?? this.deps.historyContext?.(request.id, request.before, request.after);
    if (!resolved && lines === undefined && this.deps.cluster) {
      // Another hub's line: asked of that hub (or found in what this hub received of it).
      void this.deps.cluster.context(request).then((remote) => {
        if (!this.closed) this.outbox.sendMessage({ type: 'context', req: request.req, id: request.id, found: remote !== undefined, lines: remote ?? [] });
      });
      return;
    }
    this.outbox.sendMessage({ type: 'context', req: request.req, id: request.id, found: lines !== undefined, lines: lines ?? [] });
  }

  /** Queues the shared `sources` message; a newer one replaces one still waiting. */
  sendSources(text: string): void {
    if (this.isReady) this.outbox.sendText(text, 'sources');
  }

  /** A refused request: the connection stays open. */
  private requestError(code: ErrorCode, message: string, sub: string): void {
    this.outbox.sendMessage({ type: 'error', code, message, sub });
  }

  private protocolError(reason: string): void {
    if (this.closed) return;
    this.deps.metrics.protocolErrors.labels('client').inc();
    this.deps.logger.warn({ viewer: this.viewer, remote: this.remote, reason }, 'viewer protocol error; closing its connection');
    this.fail('SG_ERR_PROTOCOL', reason, CLOSE_CODES.protocolError);
  }

  /** Sends a final error ahead of anything queued and closes. */
  private fail(code: ErrorCode, message: string, closeCode: number): void {
    if (this.closed) return;
    this.end();
    sendIfOpen(this.socket, JSON.stringify({ type: 'error', code, message }));
    this.socket.close(closeCode, closeReason(message));
  }

  private closeSlow(): void {
    if (this.closed) return;
    this.deps.logger.warn({ viewer: this.viewer, remote: this.remote }, 'viewer does not read its answers; closing its connection');
    this.end();
    this.socket.close(CLOSE_CODES.limit, 'viewer too slow: answers piled up unread');
  }

  /** Stops all delivery; idempotent. */
  private end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    for (const subscription of this.subscriptions.values()) subscription.close();
    this.subscriptions.clear();
    this.outbox.close();
    this.onEnd(this);
  }

  private onClose(code: number): void {
    const subs = this.subscriptions.size;
    this.end();
    this.deps.metrics.viewers.dec();
    if (this.ready) this.deps.logger.info({ viewer: this.viewer, client: this.client, remote: this.remote, code, subs }, 'viewer disconnected');
  }
}
