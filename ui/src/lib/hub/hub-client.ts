import { z } from 'zod';
import {
  CLOSE_CODES,
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  ReconnectBackoff,
  filterSpecSchema,
  hubToClientSchema,
  type ClientToHub,
  type ClientWelcome,
  type ContextResult,
  type DeployEvent,
  type ErrorCode,
  type FilterSpec,
  type HubToClient,
  type PinEvent,
  type ReconnectBackoffOptions,
  type Role,
  type SourceAgent,
  type SourcesTotal,
  type VerdictsEvent,
} from '../../../../protocol/index.js';
import { decodeMatches, isMatchesFrame } from './matches-frame.js';
import { EntryBatcher, type EntriesListener } from './entry-batcher.js';
import { animationFrameScheduler, type FrameScheduler } from '../frame-scheduler.js';
import { PendingRequests } from './pending-requests.js';
import { ValueStore, type Readable } from '../store.js';
import { SubscriptionRegistry, type SubscriptionStatus } from './subscription-registry.js';

/**
 * The only code in the UI that touches the hub's WebSocket. It says hello (with the token), keeps
 * every subscription alive across reconnects, validates each frame with the protocol's zod schemas
 * and turns matches into typed stream entries, handed to listeners at most once per animation frame.
 */

export type ConnectionState =
  | { status: 'stopped' }
  | { status: 'connecting'; attempt: number }
  /** `role` is what the hub lets these credentials do over HTTP; absent from hubs that predate roles. */
  | { status: 'live'; hubId: string; viewer: string | undefined; role: Role | undefined; since: number }
  | { status: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { status: 'unauthorized'; tokenRejected: boolean }
  | { status: 'failed'; message: string };

/** A hub error not tied to one subscription or request, shown once to the user. */
export interface HubNotice {
  code: ErrorCode | 'SG_UI_BAD_FRAME';
  message: string;
  at: number;
}

export class HubRequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'SG_UI_DISCONNECTED' | 'SG_UI_TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'HubRequestError';
  }
}

export interface HubSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface HubSocketHandlers {
  open(): void;
  message(data: unknown): void;
  close(code: number, reason: string): void;
}

export type SocketFactory = (url: string, handlers: HubSocketHandlers) => HubSocket;

const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => handlers.message(event.data);
  socket.onclose = (event) => handlers.close(event.code, event.reason);
  // An 'error' event is always followed by 'close', which is where the client reacts.
  return { send: (text) => socket.send(text), close: (code, reason) => socket.close(code, reason) };
};

/** ws(s)://<same host>/ws/client, as the hub serves both the UI and the socket. */
export function hubSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/client`;
}

export interface HubClientOptions {
  url: string;
  getToken?: () => string | undefined;
  socketFactory?: SocketFactory;
  scheduler?: FrameScheduler;
  now?: () => number;
  /** The hub sends `sources` every 2 s; this long without any frame means the connection is dead. */
  idleTimeoutMs?: number;
  /** How long to wait for the socket to open and the hub to welcome us. */
  connectTimeoutMs?: number;
  contextTimeoutMs?: number;
  /**
   * Reconnect delays, the protocol's ReconnectBackoff as agents use it (so UIs do not stampede a
   * restarted hub); any field left out keeps its default: baseMs 500, capMs 15,000, minMs 250, Math.random.
   */
  backoff?: Partial<ReconnectBackoffOptions>;
}

export type { EntriesListener };
/** Deploy, pin and verdict events: the deploy log, the pins bar, the pins' graphs and the verdicts follow them. */
export type HubEvent = DeployEvent | PinEvent | VerdictsEvent;
export type HubEventListener = (event: HubEvent) => void;

/**
 * One frame from the hub, parsed and validated. `matches` frames, nearly all of the traffic under
 * load, are checked by matches-frame.ts (same rules, without zod per line); the rest by the schema.
 */
function parseFrame(text: string): { ok: true; value: HubToClient } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not valid JSON' };
  }
  if (isMatchesFrame(raw)) return decodeMatches(raw);
  const parsed = hubToClientSchema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: z.prettifyError(parsed.error) };
}

export class HubClient {
  readonly connection = new ValueStore<ConnectionState>({ status: 'stopped' });
  readonly sources = new ValueStore<readonly SourceAgent[]>([]);
  /** Set when the hub listed only some of its sources (a very large fleet): how many it knows. */
  readonly sourcesTotal = new ValueStore<SourcesTotal | undefined>(undefined);
  readonly notice = new ValueStore<HubNotice | undefined>(undefined);
  private readonly registry = new SubscriptionRegistry();
  readonly subscriptions: Readable<ReadonlyMap<string, SubscriptionStatus>> = this.registry.statuses;

  private readonly options: Required<Omit<HubClientOptions, 'getToken' | 'backoff'>> & Pick<HubClientOptions, 'getToken'>;
  private readonly backoff: ReconnectBackoff;
  private socket: HubSocket | undefined;
  private welcome: ClientWelcome | undefined;
  private started = false;
  private lostAt: number | undefined;
  private tokenSent = false;
  private unauthorized = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly batcher: EntryBatcher;
  private readonly eventListeners = new Set<HubEventListener>();
  private readonly contexts: PendingRequests<ContextResult>;
  private nextRequest = 1;

  constructor(options: HubClientOptions) {
    const { backoff, ...rest } = options;
    this.options = {
      socketFactory: browserSocket,
      scheduler: animationFrameScheduler,
      now: Date.now,
      idleTimeoutMs: 15_000,
      connectTimeoutMs: 10_000,
      contextTimeoutMs: 10_000,
      ...rest,
    };
    this.backoff = new ReconnectBackoff({ baseMs: 500, capMs: 15_000, minMs: 250, ...backoff });
    this.batcher = new EntryBatcher(this.options.scheduler);
    this.contexts = new PendingRequests(
      this.options.contextTimeoutMs,
      () => new HubRequestError('SG_UI_TIMEOUT', 'The hub did not answer the context request in time.'),
    );
  }

  /** The hub's limits once welcomed; the protocol defaults before that. */
  get limits(): ClientWelcome['limits'] {
    return this.welcome?.limits ?? DEFAULT_LIMITS;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  stop(): void {
    this.started = false;
    clearTimeout(this.retryTimer);
    this.detachSocket(1000, 'viewer closed');
    this.batcher.clear();
    this.connection.set({ status: 'stopped' });
  }

  /** Connects again at once: after signing in, or when the user does not want to wait for the backoff. */
  reconnectNow(): void {
    if (!this.started) return;
    clearTimeout(this.retryTimer);
    const wasLive = this.connection.getSnapshot().status === 'live';
    this.detachSocket(1000, 'reconnecting');
    if (wasLive) this.lostAt ??= this.options.now();
    this.registry.connectionLost();
    this.connect();
  }

  /** Starts or replaces (same `sub`) a subscription; it is re-sent after every reconnect. */
  subscribe(sub: string, filter: FilterSpec, options: { backlog?: number } = {}): void {
    this.batcher.drop(sub);
    this.registry.set(sub, filter, options.backlog ?? 0);
    const problem = this.checkFilter(filter);
    if (problem) {
      this.registry.rejectLocally(sub, problem);
      // The hub may still run this sub's previous filter; stop it rather than stream lines nobody shows.
      if (this.isLive()) this.send({ type: 'unsubscribe', sub });
      return;
    }
    if (this.isLive()) this.sendSubscribe(sub);
  }

  unsubscribe(sub: string): void {
    this.batcher.drop(sub);
    if (this.registry.remove(sub) && this.isLive()) this.send({ type: 'unsubscribe', sub });
  }

  /** The lines around line `id` in its file, ignoring every filter. */
  requestContext(id: string, before: number, after: number): Promise<ContextResult> {
    if (!this.isLive()) return Promise.reject(new HubRequestError('SG_UI_DISCONNECTED', 'Not connected to the hub.'));
    const max = this.limits.maxContextLines;
    const clamp = (n: number) => Math.max(0, Math.min(max, Math.floor(n)));
    const req = `c${this.nextRequest++}`;
    const answer = this.contexts.add(req);
    this.send({ type: 'context', req, id, before: clamp(before), after: clamp(after) });
    return answer;
  }

  /** Decoded entries per subscription, at most once per commit (see entry-batcher.ts). */
  onEntries(listener: EntriesListener): () => void {
    return this.batcher.onBatch(listener);
  }

  onHubEvent(listener: HubEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private isLive(): boolean {
    return this.connection.getSnapshot().status === 'live';
  }

  private connect(): void {
    this.unauthorized = false;
    this.welcome = undefined;
    this.connection.set({ status: 'connecting', attempt: this.backoff.failures + 1 });
    let socket: HubSocket | undefined;
    const handlers: HubSocketHandlers = {
      open: () => {
        if (this.socket !== socket) return;
        const token = this.options.getToken?.();
        this.tokenSent = Boolean(token);
        this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'supergrep-ui', ...(token ? { token } : {}) });
      },
      message: (data) => {
        if (this.socket === socket) this.receive(data);
      },
      close: (code, reason) => {
        if (this.socket === socket) this.closed(code, reason);
      },
    };
    try {
      socket = this.options.socketFactory(this.options.url, handlers);
    } catch (error) {
      // A malformed URL throws synchronously; treat it like a connection that failed at once.
      this.lost(`cannot open ${this.options.url}: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    this.armIdleTimer(this.options.connectTimeoutMs, 'the hub did not answer in time');
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.notice.set({ code: 'SG_UI_BAD_FRAME', message: 'Ignored a binary frame from the hub.', at: this.options.now() });
      return;
    }
    if (this.welcome) this.armIdleTimer(this.options.idleTimeoutMs, `no message from the hub for ${this.options.idleTimeoutMs / 1000} s`);
    const parsed = parseFrame(data);
    if (!parsed.ok) {
      this.notice.set({ code: 'SG_UI_BAD_FRAME', message: `Ignored a malformed message from the hub: ${parsed.error}`, at: this.options.now() });
      return;
    }
    this.handle(parsed.value);
  }

  private handle(message: HubToClient): void {
    switch (message.type) {
      case 'welcome':
        return this.welcomed(message);
      case 'subscribed':
        return this.registry.subscribed(message.sub);
      case 'matches':
        if (this.registry.isAccepting(message.sub)) this.batcher.pushLines(message.sub, message.lines, message.backlog === true);
        return;
      case 'dropped':
        if (this.registry.isAccepting(message.sub)) this.batcher.push(message.sub, { kind: 'dropped', count: message.count, at: this.options.now() });
        return;
      case 'context':
        this.contexts.settle(message.req, { value: message });
        return;
      case 'sources':
        this.sourcesTotal.set(message.total);
        return this.sources.set(message.agents);
      case 'deploy':
        // Replayed with one subscription's backlog: a divider at its place in time among those lines.
        if (message.sub !== undefined) {
          if (this.registry.isAccepting(message.sub)) this.batcher.push(message.sub, { kind: 'deploy', deploy: message.deploy });
          return;
        }
        // A divider in every stream, queued with the lines so it sits where the deploy was announced.
        // Not in a pane whose filter the hub refused: it shows how to fix the pattern, not history.
        for (const sub of this.registry.subs()) {
          if (this.registry.statuses.getSnapshot().get(sub)?.state !== 'error') this.batcher.push(sub, { kind: 'deploy', deploy: message.deploy });
        }
        for (const listener of [...this.eventListeners]) listener(message);
        return;
      case 'pin':
      case 'verdicts':
        for (const listener of [...this.eventListeners]) listener(message);
        return;
      case 'error':
        return this.hubError(message.code, message.message, message.sub, message.req);
    }
  }

  private welcomed(welcome: ClientWelcome): void {
    this.welcome = welcome;
    this.backoff.reset();
    const now = this.options.now();
    this.connection.set({ status: 'live', hubId: welcome.hubId, viewer: welcome.viewer, role: welcome.role, since: now });
    this.armIdleTimer(this.options.idleTimeoutMs, `no message from the hub for ${this.options.idleTimeoutMs / 1000} s`);
    const lostAt = this.lostAt;
    this.lostAt = undefined;
    for (const sub of this.registry.subs()) {
      if (lostAt !== undefined) this.batcher.push(sub, { kind: 'gap', from: lostAt, to: now });
      this.sendSubscribe(sub);
    }
  }

  private hubError(code: ErrorCode, message: string, sub: string | undefined, req: string | undefined): void {
    if (sub !== undefined && this.registry.has(sub)) return this.registry.failed(sub, code, message);
    if (req !== undefined && this.contexts.settle(req, { error: new HubRequestError(code, message) })) return;
    if (code === 'SG_ERR_UNAUTHORIZED') {
      // The hub closes with 4401 next; remember why so the close is not retried.
      this.unauthorized = true;
      this.connection.set({ status: 'unauthorized', tokenRejected: this.tokenSent });
      return;
    }
    if (code === 'SG_ERR_VERSION') return this.fail(`The hub speaks another protocol version (${message}). Reload the page.`);
    this.notice.set({ code, message, at: this.options.now() });
  }

  private closed(code: number, reason: string): void {
    const wasLive = this.isLive();
    this.detachSocket();
    if (!this.started) return;
    if (wasLive) this.lostAt ??= this.options.now();
    this.registry.connectionLost();
    if (this.unauthorized || code === CLOSE_CODES.unauthorized) {
      this.connection.set({ status: 'unauthorized', tokenRejected: this.tokenSent });
      return;
    }
    if (code === CLOSE_CODES.versionMismatch) return this.fail('The hub speaks another protocol version. Reload the page.');
    if (code === CLOSE_CODES.forbidden) return this.fail(reason || 'The hub refused this viewer.');
    this.lost(reason ? `closed (${code}): ${reason}` : `closed (${code})`);
  }

  /** Schedules the next attempt with capped, jittered exponential backoff. */
  private lost(reason: string): void {
    const delay = this.backoff.next();
    this.connection.set({ status: 'reconnecting', attempt: this.backoff.failures, retryAt: this.options.now() + delay, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private fail(message: string): void {
    this.detachSocket(1000, 'giving up');
    this.connection.set({ status: 'failed', message });
  }

  private armIdleTimer(ms: number, reason: string): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      // A dead network may take minutes to surface as a close event; drop the socket ourselves.
      const wasLive = this.isLive();
      this.detachSocket(4000, 'idle');
      if (wasLive) this.lostAt ??= this.options.now();
      this.registry.connectionLost();
      this.lost(reason);
    }, ms);
  }

  /** Forgets the current socket (its late events are ignored) and fails its pending requests. */
  private detachSocket(code?: number, reason?: string): void {
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.welcome = undefined;
    if (socket && code !== undefined) {
      try {
        socket.close(code, reason);
      } catch {
        // Closing an already-closed socket may throw in some browsers; it is closed either way.
      }
    }
    this.contexts.rejectAll(() => new HubRequestError('SG_UI_DISCONNECTED', 'The connection to the hub was lost.'));
  }

  private sendSubscribe(sub: string): void {
    const request = this.registry.sending(sub);
    if (!request) return;
    const backlog = Math.min(request.backlog, this.limits.maxBacklogLines);
    this.send({ type: 'subscribe', sub, filter: request.filter, ...(backlog > 0 ? { backlog } : {}) });
  }

  private checkFilter(filter: FilterSpec): string | undefined {
    const max = this.limits.maxPatternLength;
    for (const [name, pattern] of [['Pattern', filter.query], ['Exclude pattern', filter.exclude ?? '']] as const) {
      if (pattern.length > max) return `${name} is ${pattern.length} characters long; the hub accepts at most ${max}.`;
    }
    const parsed = filterSpecSchema.safeParse(filter);
    return parsed.success ? undefined : `Invalid filter: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`;
  }

  private send(message: ClientToHub): void {
    this.socket?.send(JSON.stringify(message));
  }
}
