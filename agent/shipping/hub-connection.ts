import WebSocket, { type RawData } from 'ws';
import type { Logger } from '../../lib/logger.js';
import { certificateProblem } from '../../lib/tls-trust.js';
import { CLOSE_CODES, hubToAgentSchema, parseMessage, PROTOCOL_VERSION, ReconnectBackoff, type AgentHello, type AgentWelcome } from '../../protocol/index.js';
import { agentSocketUrl, displayUrl } from './hub-url.js';
import { TurnWriteCoalescer } from './turn-write-coalescer.js';

/** The hub only sends small JSON messages (welcome, acks, errors); anything bigger is a broken peer. */
const MAX_HUB_MESSAGE_BYTES = 4 * 1024 * 1024;
/** A connection that stayed up this long counts as healthy: the next failure starts backoff afresh. */
const STABLE_CONNECTION_MS = 10_000;
/** How long stop() waits for the hub to answer our close before cutting the socket. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface HubConnectionOptions {
  hubs: string[];
  token?: string | undefined;
  /** CA certificates (PEM) trusted for a wss:// hub besides the system's; verification is never off. */
  ca?: Buffer | undefined;
  name: string;
  agentVersion: string;
  heartbeatIntervalMs: number;
  reconnectBaseMs: number;
  reconnectCapMs: number;
  random?: () => number;
}

export interface HubConnectionHandlers {
  /** The hub welcomed us: batches may flow, numbered from 1. */
  onWelcome(welcome: AgentWelcome): void;
  onAck(batch: number): void;
  /** A welcomed connection is gone; nothing in flight will be acknowledged. */
  onDisconnect(): void;
}

/**
 * The agent's one connection to a hub: hello, welcome, acks, heartbeats both ways, and reconnection
 * with capped exponential backoff and jitter, moving to the next configured hub after each failure.
 * It never gives up: a hub that is down or refuses the token is retried until stop().
 */
export class HubConnection {
  /** Connection attempts after the first. */
  reconnects = 0;
  /** Bumped on every welcome, so work started on an older connection can tell it is stale. */
  epoch = 0;
  private socket: WebSocket | undefined;
  /** Batches small frames of the current socket into one write per event-loop turn. */
  private coalescer: TurnWriteCoalescer | undefined;
  private welcomed = false;
  private hubIndex = 0;
  private stopping = false;
  private readonly backoff: ReconnectBackoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private welcomeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: HubConnectionOptions,
    private readonly logger: Logger,
    private readonly handlers: HubConnectionHandlers,
  ) {
    const random = options.random;
    this.backoff = new ReconnectBackoff({
      baseMs: options.reconnectBaseMs,
      capMs: options.reconnectCapMs,
      minMs: Math.ceil(options.reconnectBaseMs / 4),
      ...(random ? { random } : {}),
    });
  }

  /** Welcomed and open: batches may be sent. */
  get ready(): boolean {
    return this.welcomed && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket and not yet handed to the OS. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  /** Sends one binary frame; `onWritten` runs once it has been handed to the OS (or failed). */
  send(frame: Buffer, onWritten: () => void): void {
    if (!this.ready) return;
    this.coalescer?.beforeSend(frame.length);
    this.socket?.send(frame, { binary: true }, () => onWritten());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(1000, 'agent stopping');
      const timer = setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS);
      await closed;
      clearTimeout(timer);
    } else {
      socket.terminate();
      await closed;
    }
  }

  private connect(): void {
    const hub = this.options.hubs[this.hubIndex] as string;
    const url = agentSocketUrl(hub);
    const shownUrl = displayUrl(url);
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const socket = new WebSocket(url, {
      headers,
      // Log lines compress well, but deflating megabytes per second would cost more CPU than the
      // loopback or LAN bandwidth it saves; the hub does not negotiate it either.
      perMessageDeflate: false,
      // RFC 6455 has clients mask every frame with a random key so that a script in a browser page
      // cannot craft bytes that a proxy on the way would take for an HTTP request of its own (cache
      // poisoning). An agent is not a browser and sends no attacker-chosen bytes in a page's name:
      // the key protects nothing here, and masking costs a pass over (and a copy of) every byte
      // sent. ws skips masking when the key is all zeros; an all-zero key is still a valid masked
      // frame for any hub or proxy.
      generateMask: leaveMaskZero,
      handshakeTimeout: this.options.heartbeatIntervalMs,
      maxPayload: MAX_HUB_MESSAGE_BYTES,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.socket = socket;
    this.coalescer = undefined;
    const openedAt = Date.now();
    let failure: Error | undefined;
    let alive = true;
    const markAlive = (): void => {
      alive = true;
    };

    socket.on('open', () => {
      const hello: AgentHello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, host: this.options.name, agentVersion: this.options.agentVersion };
      socket.send(JSON.stringify(hello));
      this.welcomeTimer = setTimeout(() => {
        this.logger.warn({ hub: shownUrl }, 'hub sent no welcome in time; reconnecting');
        socket.terminate();
      }, this.options.heartbeatIntervalMs);
      // ws README, "How to detect and close broken connections": one ping per interval, and a hub that
      // has not answered (or said anything) by the next one is gone.
      this.heartbeatTimer = setInterval(() => {
        if (!alive) {
          this.logger.warn({ hub: shownUrl, heartbeatIntervalMs: this.options.heartbeatIntervalMs }, 'hub missed a heartbeat; reconnecting');
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, this.options.heartbeatIntervalMs);
    });
    // The TCP (or TLS) socket under the WebSocket, to cork; ws does not expose it otherwise.
    socket.on('upgrade', (response) => {
      if (this.socket === socket) this.coalescer = new TurnWriteCoalescer(response.socket);
    });
    socket.on('pong', markAlive);
    socket.on('ping', markAlive);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      markAlive();
      this.onMessage(socket, shownUrl, data, isBinary);
    });
    socket.on('error', (error: Error) => {
      failure = error;
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clearTimeout(this.welcomeTimer);
      clearInterval(this.heartbeatTimer);
      const wasWelcomed = this.welcomed;
      this.welcomed = false;
      if (this.socket === socket) {
        this.socket = undefined;
        this.coalescer = undefined;
      }
      if (wasWelcomed) this.handlers.onDisconnect();
      if (this.stopping) return;
      if (wasWelcomed && Date.now() - openedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
      this.logFailure(shownUrl, wasWelcomed, code, reason.toString(), failure);
      this.scheduleReconnect();
    });
  }

  private onMessage(socket: WebSocket, hub: string, data: RawData, isBinary: boolean): void {
    if (isBinary) return this.protocolError(socket, hub, 'hub sent a binary frame');
    const text = rawText(data);
    const ackedBatch = plainAckBatch(text);
    if (ackedBatch !== undefined && this.welcomed) return this.handlers.onAck(ackedBatch);
    const parsed = parseMessage(hubToAgentSchema, text);
    if (!parsed.ok) return this.protocolError(socket, hub, parsed.error);
    const message = parsed.value;
    switch (message.type) {
      case 'welcome':
        if (this.welcomed) return this.protocolError(socket, hub, 'second welcome on one connection');
        clearTimeout(this.welcomeTimer);
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          this.logger.warn({ hub, hubProtocolVersion: message.protocolVersion, protocolVersion: PROTOCOL_VERSION }, 'hub speaks another protocol version');
        }
        this.welcomed = true;
        this.epoch += 1;
        this.logger.info({ hub, hubId: message.hubId, resumePoints: message.resume.length }, 'connected to hub');
        this.handlers.onWelcome(message);
        return;
      case 'ack':
        if (!this.welcomed) return this.protocolError(socket, hub, 'ack before welcome');
        this.handlers.onAck(message.batch);
        return;
      case 'error':
        if (message.code === 'SG_ERR_UNAUTHORIZED') {
          this.logger.error({ hub, code: message.code }, 'hub refused the agent token');
        } else {
          this.logger.error({ hub, code: message.code, reason: message.message }, 'hub reported an error');
        }
        return;
    }
  }

  private protocolError(socket: WebSocket, hub: string, reason: string): void {
    this.logger.warn({ hub, reason }, 'hub broke the protocol; reconnecting');
    socket.close(CLOSE_CODES.protocolError, 'protocol error');
  }

  private logFailure(hub: string, wasWelcomed: boolean, code: number, reason: string, error: Error | undefined): void {
    if (code === CLOSE_CODES.unauthorized || upgradeStatus(error) === 401) {
      this.logger.error({ hub }, 'hub refused the agent token');
      return;
    }
    if (upgradeStatus(error) === 403) {
      this.logger.error({ hub }, 'hub refused the token (HTTP 403): it is a viewer or editor token, not an agent token');
      return;
    }
    const certificate = certificateProblem(error);
    if (certificate !== undefined) {
      this.logger.error({ hub, reason: certificate, failures: this.backoff.failures + 1 }, 'cannot connect to hub: TLS certificate not trusted');
      return;
    }
    const context = { hub, code, reason: reason || undefined, err: error, failures: this.backoff.failures + 1 };
    if (wasWelcomed) this.logger.warn(context, 'lost the hub connection; reconnecting');
    else this.logger.warn(context, 'could not connect to hub; will retry');
  }

  private scheduleReconnect(): void {
    this.hubIndex = (this.hubIndex + 1) % this.options.hubs.length;
    const delayMs = this.backoff.next();
    this.retryTimer = setTimeout(() => {
      this.reconnects += 1;
      this.connect();
    }, delayMs);
  }
}

/**
 * An ack exactly as the hub writes it (`JSON.stringify({ type: 'ack', batch })`). Acks are the hub's
 * one frequent message, one per batch: recognizing that exact shape skips JSON.parse and the schema,
 * a noticeable share of what a batch costs the agent. The pattern admits nothing the schema would
 * refuse (a non-negative integer, safe to 15 digits); any other spelling takes the general path.
 */
const PLAIN_ACK = /^\{"type":"ack","batch":(0|[1-9]\d{0,14})\}$/;

function plainAckBatch(text: string): number | undefined {
  const match = PLAIN_ACK.exec(text);
  return match ? Number(match[1]) : undefined;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * The HTTP status of a refused upgrade. ws reports it only inside its error message ("Unexpected
 * server response: 401") unless the caller takes over the whole response, which is more code to get
 * one number.
 */
function upgradeStatus(error: Error | undefined): number | undefined {
  const match = /Unexpected server response: (\d{3})/.exec(error?.message ?? '');
  return match ? Number(match[1]) : undefined;
}

/** ws's mask generator: leaves its zero-filled mask buffer as it is (see connect()). */
function leaveMaskZero(): void {}
