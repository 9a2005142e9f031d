import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  ReconnectBackoff,
  hubToClientSchema,
  parseMessage,
  type ClientToHub,
  type ContextResult,
  type ErrorMessage,
  type FilterSpec,
  type HubToClient,
  type MatchedLine,
} from '../protocol/index.js';
import { certificateProblem } from './tls-trust.js';

/**
 * A viewer connection for Node programs (the tail command, the canary, tests and benchmarks): says
 * hello, keeps its subscriptions across reconnects, validates every hub message against the protocol.
 */
export interface HubClientOptions {
  /** Hub base URL: http(s)://host:port or ws(s)://host:port. */
  hub: string;
  token?: string;
  clientName?: string;
  /** Reconnect after the connection drops (the default). */
  reconnect?: boolean;
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
  /** Extra TLS options for wss:// (a private CA). */
  ca?: Buffer;
  /** How long one connection attempt (TCP, TLS, upgrade) may take before it counts as failed. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Backlog asked for when re-subscribing after a reconnect, so lines that arrived while this client
   * was away (an agent catching up after a hub restart) are not missed. Lines already delivered are
   * recognised by id and not emitted twice.
   */
  reconnectBacklog?: number;
}

export interface Subscription {
  sub: string;
  filter: FilterSpec;
  backlog?: number;
}

interface HubClientEvents {
  welcome: [HubToClient & { type: 'welcome' }];
  subscribed: [string];
  matches: [string, MatchedLine[], boolean];
  dropped: [string, number];
  hubError: [ErrorMessage];
  message: [HubToClient];
  /** The socket opened and the hello was answered. */
  connected: [];
  /**
   * The socket closed, or an attempt to connect failed; `willRetry` tells whether a reconnect is
   * scheduled, in `retryInMs`. `error` says why an attempt failed ("connection refused (ECONNREFUSED)").
   */
  disconnected: [{ code: number; reason: string; willRetry: boolean; retryInMs?: number; error?: string }];
  /** The hub refused our token or version: retrying would not help. */
  fatal: [Error];
}

export class HubClient extends EventEmitter<HubClientEvents> {
  private socket: WebSocket | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pendingContext = new Map<string, (result: ContextResult) => void>();
  private readonly backoff: ReconnectBackoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private ready = false;
  private nextReq = 1;
  private hasConnected = false;
  /** Why the current attempt failed, for the next 'disconnected'. */
  private failure: string | undefined;
  private readonly seen = new RecentIds(50_000);

  constructor(private readonly options: HubClientOptions) {
    super();
    this.backoff = new ReconnectBackoff({
      baseMs: options.reconnectBaseMs ?? 200,
      capMs: options.reconnectCapMs ?? 5_000,
      minMs: 50,
    });
  }

  /** The WebSocket URL for the viewer endpoint of `hub`. */
  static clientUrl(hub: string): string {
    const url = new URL(hub);
    if (url.protocol === 'http:') url.protocol = 'ws:';
    else if (url.protocol === 'https:') url.protocol = 'wss:';
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws/client';
    return url.toString();
  }

  connect(): void {
    if (this.closed) return;
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const socket = new WebSocket(HubClient.clientUrl(this.options.hub), { headers, ca: this.options.ca, handshakeTimeout: this.options.connectTimeoutMs ?? 10_000 });
    this.socket = socket;
    this.ready = false;
    this.failure = undefined;
    socket.on('open', () => {
      this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: this.options.clientName, token: this.options.token });
    });
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('unexpected-response', (_req, res) => {
      // The hub refused the upgrade itself (401 wrong token, 403 origin, 421 host name): not worth
      // retrying. Anything else (a proxy's 502 while the hub restarts) is retried.
      const status = res.statusCode ?? 0;
      if (status !== 403 && status !== 421) res.resume();
      if (status === 401) {
        this.failFatally(new Error('the hub refused the viewer token (HTTP 401)'));
      } else if (status === 403 || status === 421) {
        void readRefusal(res).then((why) => this.failFatally(new Error(`the hub refused this client (HTTP ${status})${why ? `: ${why}` : ''}`)));
      } else {
        this.failure = `the hub answered HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd();
        socket.terminate();
      }
    });
    socket.on('error', (error) => {
      // An untrusted certificate will not become trusted by retrying; anything else is decided by
      // 'close', which follows every 'error'.
      const certificate = certificateProblem(error);
      if (certificate !== undefined) this.failFatally(new Error(certificate));
      else this.failure ??= describeConnectError(error);
    });
    socket.on('close', (code, reasonBuffer) => this.onClose(socket, code, reasonBuffer.toString()));
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return;
    const parsed = parseMessage(hubToClientSchema, data.toString());
    if (!parsed.ok) {
      this.emit('hubError', { type: 'error', code: 'SG_ERR_PROTOCOL', message: `invalid message from hub: ${parsed.error}` });
      return;
    }
    const message = parsed.value;
    this.emit('message', message);
    switch (message.type) {
      case 'welcome':
        this.ready = true;
        this.backoff.reset();
        for (const subscription of this.subscriptions.values()) {
          this.sendSubscribe(this.hasConnected ? { ...subscription, backlog: this.options.reconnectBacklog ?? 1_000 } : subscription);
        }
        this.hasConnected = true;
        this.emit('welcome', message);
        this.emit('connected');
        break;
      case 'subscribed':
        this.emit('subscribed', message.sub);
        break;
      case 'matches': {
        const fresh = message.lines.filter((line) => this.seen.add(`${message.sub}\0${line.id}`));
        if (fresh.length > 0) this.emit('matches', message.sub, fresh, message.backlog === true);
        break;
      }
      case 'dropped':
        this.emit('dropped', message.sub, message.count);
        break;
      case 'context': {
        const resolve = this.pendingContext.get(message.req);
        this.pendingContext.delete(message.req);
        resolve?.(message);
        break;
      }
      case 'error':
        if (message.code === 'SG_ERR_UNAUTHORIZED' || message.code === 'SG_ERR_FORBIDDEN' || message.code === 'SG_ERR_VERSION') {
          this.failFatally(new Error(message.message));
        } else {
          this.emit('hubError', message);
        }
        break;
      default:
        break;
    }
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.ready = false;
    const fatal = code === CLOSE_CODES.unauthorized || code === CLOSE_CODES.forbidden || code === CLOSE_CODES.versionMismatch;
    const willRetry = !this.closed && !fatal && this.options.reconnect !== false;
    const retryInMs = willRetry ? this.backoff.next() : undefined;
    this.emit('disconnected', { code, reason, willRetry, ...(retryInMs !== undefined ? { retryInMs } : {}), ...(this.failure !== undefined ? { error: this.failure } : {}) });
    if (retryInMs !== undefined) {
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    }
  }

  private failFatally(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.terminate();
    this.emit('fatal', error);
  }

  subscribe(subscription: Subscription): void {
    this.subscriptions.set(subscription.sub, subscription);
    if (this.ready) this.sendSubscribe(subscription);
  }

  unsubscribe(sub: string): void {
    this.subscriptions.delete(sub);
    if (this.ready) this.send({ type: 'unsubscribe', sub });
  }

  /** Asks for the lines around `id`; resolves with the hub's answer. */
  context(id: string, before: number, after: number): Promise<ContextResult> {
    const req = `c${this.nextReq++}`;
    return new Promise((resolve, reject) => {
      if (!this.ready) {
        reject(new Error('not connected to the hub'));
        return;
      }
      this.pendingContext.set(req, resolve);
      this.send({ type: 'context', req, id, before, after });
    });
  }

  get connected(): boolean {
    return this.ready;
  }

  private sendSubscribe(subscription: Subscription): void {
    const message: ClientToHub = { type: 'subscribe', sub: subscription.sub, filter: subscription.filter };
    if (subscription.backlog !== undefined) message.backlog = subscription.backlog;
    this.send(message);
  }

  private send(message: ClientToHub): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Closes for good; no reconnect follows. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'client closing');
    this.socket = undefined;
  }
}

/** Plain words for the usual reasons a connection attempt fails, with Node's code for searching. */
const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be looked up (DNS not answering)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

/** "connection refused (ECONNREFUSED)"; ws's own errors (a handshake timeout) by their message. */
function describeConnectError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const plain = code === undefined ? undefined : CONNECT_ERRORS[code];
  if (plain !== undefined) return `${plain} (${code})`;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** The message of a refused upgrade's body: the API's JSON error or a line of text; at most 4 KiB read. */
async function readRefusal(res: IncomingMessage): Promise<string | undefined> {
  let body = '';
  try {
    for await (const chunk of res) {
      body += String(chunk);
      if (body.length > 4096) break;
    }
  } catch {
    // The socket was cut: refuse without the reason rather than not at all.
    return undefined;
  }
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON: the hub's plain-text refusals are one line.
  }
  const text = body.trim().replace(/^supergrep: /, '');
  return text === '' ? undefined : text.slice(0, 500);
}

/** A bounded set of recently delivered line ids: remembers the last `capacity` ids only. */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  /** Adds `id`; false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.order.push(id);
    if (this.order.length - this.head > this.capacity) {
      this.ids.delete(this.order[this.head]!);
      this.head += 1;
      if (this.head > this.capacity) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
    return true;
  }
}
