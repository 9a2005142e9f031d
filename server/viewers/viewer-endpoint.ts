import { WebSocketServer } from 'ws';
import { CLOSE_CODES, type ErrorMessage, type HubToClient, type SourceAgent } from '../../protocol/index.js';
import { originAllowed } from '../access/origin-check.js';
import type { Heartbeat } from '../transport/heartbeat.js';
import { closeReason, closeServer, remoteAddress } from '../transport/socket-util.js';
import { sourcesMessageText } from './sources-message.js';
import { TailSession, type TailSessionDeps } from './tail-session.js';
import { rejectUpgrade, type UpgradeHandler } from '../transport/upgrade-router.js';

/**
 * The viewer endpoint, /ws/client. Origin and an Authorization header (when present) are checked on
 * the upgrade; browsers, which cannot set headers, authenticate in their hello instead. Also sends
 * every viewer the `sources` list on a timer, serialized once for all.
 */
export class ViewerEndpoint {
  private readonly server: WebSocketServer;
  private readonly sessions = new Set<TailSession>();
  private readonly sourcesTimer: NodeJS.Timeout;

  constructor(
    private readonly deps: Omit<TailSessionDeps, 'sourcesText'> & {
      /** With --nats: lists every hub's agents, not only this hub's. */
      agentsView?: ((local: SourceAgent[]) => SourceAgent[]) | undefined;
    },
    private readonly heartbeat: Heartbeat,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: deps.config.maxClientMessageBytes });
    this.sourcesTimer = setInterval(() => this.broadcastSources(), deps.config.sourcesIntervalMs);
    this.sourcesTimer.unref();
  }

  readonly handleUpgrade: UpgradeHandler = (request, socket, head) => {
    const { config, logger } = this.deps;
    const remote = remoteAddress(request);
    if (!originAllowed(request.headers, config.allowedOrigins)) {
      logger.warn({ remote, origin: request.headers.origin }, 'viewer refused: origin not allowed');
      rejectUpgrade(socket, 403, 'supergrep: this origin may not open viewer connections (see allowedOrigins)');
      return;
    }
    const credentials = this.deps.access.reader(request);
    if (credentials.kind === 'refused') {
      logger.warn({ remote, reason: credentials.message }, 'viewer refused');
      rejectUpgrade(socket, credentials.status, `supergrep: ${credentials.message}`);
      return;
    }
    const full = this.server.clients.size >= config.maxViewers;
    this.server.handleUpgrade(request, socket, head, (ws) => {
      if (full) {
        // Upgraded only to say why in the protocol's terms: clients show the message and retry later.
        const message = `the hub already has ${config.maxViewers} viewers connected (maxViewers); try again later`;
        logger.warn({ remote, maxViewers: config.maxViewers }, 'viewer refused: too many viewers');
        const error: ErrorMessage = { type: 'error', code: 'SG_ERR_LIMIT', message };
        ws.send(JSON.stringify(error));
        ws.close(CLOSE_CODES.limit, closeReason(message));
        return;
      }
      this.heartbeat.track(ws, { endpoint: 'client', remote });
      const session = new TailSession(
        ws,
        socket,
        remote,
        credentials.kind === 'identified' ? credentials.identity : undefined,
        { ...this.deps, sourcesText: () => this.sourcesText() },
        (ended) => this.sessions.delete(ended),
      );
      this.sessions.add(session);
    });
  };

  /** Open viewer sockets (including ones still waiting for their hello). */
  get connections(): number {
    return this.server.clients.size;
  }

  /**
   * Sends one message to every viewer past its hello (pin and deploy events), serialized once and
   * queued in stream order behind what each viewer already has queued. Returns how many got it.
   */
  broadcast(message: HubToClient): number {
    const text = JSON.stringify(message);
    let sent = 0;
    for (const session of this.sessions) {
      if (!session.isReady) continue;
      session.outbox.sendText(text);
      sent += 1;
    }
    return sent;
  }

  private sourcesText(): string {
    const local = this.deps.registry.snapshot();
    return sourcesMessageText(this.deps.agentsView?.(local) ?? local, this.deps.config.maxSourcesMessageBytes);
  }

  private broadcastSources(): void {
    let text: string | undefined;
    for (const session of this.sessions) {
      if (!session.isReady) continue;
      text ??= this.sourcesText();
      session.sendSources(text);
    }
  }

  close(): Promise<void> {
    clearInterval(this.sourcesTimer);
    return closeServer(this.server, 1001, 'hub shutting down');
  }
}
