import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  clientToHubSchema,
  parseMessage,
  type ClientHello,
  type ContextRequest,
  type ErrorCode,
  type Subscribe,
} from '../protocol/index.js';
import type { Logger } from '../lib/logger.js';
import { messageAuth } from './auth.js';
import { contextLines, replayBacklog } from './backlog-queries.js';
import type { Backlog } from './backlog.js';
import type { HubConfig } from './config.js';
import { ViewerOutbox } from './fanout.js';
import { FilterError } from './filter-engine.js';
import type { MatchRouter, RoutedSubscription } from './match-router.js';
import type { HubMetrics } from './metrics.js';
import { closeReason, sendIfOpen, toBuffer } from './socket-util.js';
import type { SourceRegistry } from './source-registry.js';

export interface TailSessionDeps {
  config: HubConfig;
  logger: Logger;
  hubId: string;
  router: MatchRouter;
  backlog: Backlog;
  registry: SourceRegistry;
  metrics: HubMetrics;
  /** The current `sources` message, serialized once for every viewer. */
  sourcesText(): string;
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
    private readonly remote: string | undefined,
    /** The token holder named by a valid Authorization header on the upgrade, if any. */
    private readonly headerViewer: string | undefined,
    private readonly deps: TailSessionDeps,
    private readonly onEnd: (session: TailSession) => void,
  ) {
    const { config, metrics } = deps;
    this.outbox = new ViewerOutbox(
      socket,
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
    const parsed = parseMessage(clientToHubSchema, toBuffer(data).toString('utf8'));
    if (!parsed.ok) return this.protocolError(`invalid message: ${parsed.error}`);
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
    const { config, hubId, logger } = this.deps;
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      return this.fail(
        'SG_ERR_VERSION',
        `protocol version ${hello.protocolVersion} is not supported; this hub speaks version ${PROTOCOL_VERSION}`,
        CLOSE_CODES.versionMismatch,
      );
    }
    this.viewer = this.headerViewer ?? messageAuth(hello.token, config.viewerTokens);
    if (config.viewerTokens.length > 0 && this.viewer === undefined) {
      logger.warn({ remote: this.remote, client: hello.client }, 'viewer refused: token missing or not valid');
      return this.fail('SG_ERR_UNAUTHORIZED', 'a valid viewer token is required', CLOSE_CODES.unauthorized);
    }
    this.client = hello.client;
    this.ready = true;
    this.outbox.sendMessage({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      hubId,
      ...(this.viewer === undefined ? {} : { viewer: this.viewer }),
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
      return this.requestError('SG_ERR_LIMIT', `at most ${config.maxSubscriptionsPerViewer} subscriptions per connection`, sub);
    }
    let routed: RoutedSubscription;
    try {
      routed = router.subscribe(message.filter, { deliver: (lines) => this.outbox.sendLines(sub, lines) });
    } catch (err) {
      if (!(err instanceof FilterError)) throw new Error('subscribe', { cause: err });
      // The replaced filter ends too: the viewer asked for a different one and must not keep
      // receiving the old one's lines under the same name.
      this.unsubscribe(sub);
      metrics.badPatterns.inc();
      logger.info({ viewer: this.viewer, remote: this.remote, sub, reason: err.message }, 'bad pattern');
      return this.requestError(err.code, err.message, sub);
    }
    existing?.close();
    this.subscriptions.set(sub, routed);
    this.outbox.sendMessage({ type: 'subscribed', sub, filter: message.filter });
    if (message.backlog) {
      // Synchronous, before any further batch can be ingested: backlog and live lines cannot interleave.
      const lines = replayBacklog(backlog, registry.sources(), routed.filter, message.backlog);
      this.outbox.sendLines(sub, lines, true);
    }
  }

  private unsubscribe(sub: string): void {
    this.subscriptions.get(sub)?.close();
    this.subscriptions.delete(sub);
  }

  private onContext(request: ContextRequest): void {
    const { registry, backlog } = this.deps;
    const resolved = registry.resolveLineId(request.id);
    const ring = resolved && backlog.ring(resolved.source);
    const lines = ring && contextLines(ring, resolved.pos, request.before, request.after);
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
