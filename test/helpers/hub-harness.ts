import { once } from 'node:events';
import WebSocket from 'ws';
import { silentLogger } from '../../lib/logger.js';
import { encodeLinesFrame, PROTOCOL_VERSION, type HubToAgent, type HubToClient, type LinesHeader } from '../../protocol/node.js';
import { resolveHubConfig } from '../../server/config.js';
import { startHub, type HubExtensions, type HubInternals, type RunningHub } from '../../server/hub.js';
import { makeTempDir } from './temp-dir.js';

/** Longest any single wait in these tests may take: a hang fails with a message instead of the test timeout. */
const WAIT_MS = 5_000;

export interface TestHub extends RunningHub {
  wsUrl: string;
  internals: HubInternals;
}

/**
 * Starts a hub on a free loopback port. Without a `dataDir` option it gets a fresh temporary one
 * (the hub always opens its database there), removed again by `close()`.
 */
export async function startTestHub(options: Record<string, unknown> = {}, extensions: HubExtensions = {}): Promise<TestHub> {
  let internals: HubInternals | undefined;
  const temp = options.dataDir === undefined ? await makeTempDir('sg-hub-data-') : undefined;
  let hub: RunningHub;
  try {
    hub = await startHub(resolveHubConfig({ host: '127.0.0.1', port: 0, dataDir: temp?.dir, ...options }), silentLogger(), {
      ...extensions,
      onStart: (given) => {
        internals = given;
        extensions.onStart?.(given);
      },
    });
  } catch (error) {
    await temp?.cleanup();
    throw error;
  }
  const close = async () => {
    await hub.close();
    await temp?.cleanup();
  };
  return { ...hub, close, wsUrl: hub.url.replace(/^http/, 'ws'), internals: internals! };
}

/** Messages received on a socket, and a way to wait for the next one that matches. */
export class Inbox<T> {
  readonly messages: T[] = [];
  private waiters: Array<{ test: (message: T) => boolean; resolve: (message: T) => void }> = [];
  private seen = 0;

  push(message: T): void {
    this.messages.push(message);
    // One message may answer several waiters: a cumulative ack covers every batch up to its own.
    const answered = this.waiters.filter((w) => w.test(message));
    if (answered.length === 0) return;
    this.waiters = this.waiters.filter((w) => !answered.includes(w));
    for (const waiter of answered) waiter.resolve(message);
  }

  /** The first message after the ones already consumed that passes `test`; consumes up to it. */
  next(what: string, test: (message: T) => boolean = () => true): Promise<T> {
    for (let i = this.seen; i < this.messages.length; i += 1) {
      if (test(this.messages[i]!)) {
        this.seen = i + 1;
        return Promise.resolve(this.messages[i]!);
      }
    }
    this.seen = this.messages.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
      this.waiters.push({
        test,
        resolve: (message) => {
          clearTimeout(timer);
          this.seen = this.messages.length;
          resolve(message);
        },
      });
    });
  }
}

export interface Peer<T> {
  socket: WebSocket;
  inbox: Inbox<T>;
  closed: Promise<{ code: number; reason: string }>;
}

async function connect<T>(url: string, headers: Record<string, string>, options: WebSocket.ClientOptions = {}): Promise<Peer<T>> {
  const socket = new WebSocket(url, { headers, ...options });
  const inbox = new Inbox<T>();
  socket.on('message', (data, isBinary) => {
    if (!isBinary) inbox.push(JSON.parse(String(data)) as T);
  });
  const closed = once(socket, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  await once(socket, 'open');
  return { socket, inbox, closed };
}

/** The HTTP status and body with which an upgrade was refused. */
export async function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, { headers });
  socket.on('error', () => {
    // The refusal itself is what the test looks at; ws reports it as an error too.
  });
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { status: response.statusCode ?? 0, body };
}

export class TestAgent {
  private batch = 0;
  private offsets = new Map<string, number>();

  private constructor(readonly peer: Peer<HubToAgent>) {}

  static async connect(hub: TestHub, host = 'web-1', headers: Record<string, string> = {}): Promise<{ agent: TestAgent; welcome: HubToAgent }> {
    const peer = await connect<HubToAgent>(`${hub.wsUrl}/ws/agent`, headers);
    peer.socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host, agentVersion: 'test' }));
    const welcome = await peer.inbox.next('agent welcome');
    return { agent: new TestAgent(peer), welcome };
  }

  /** Sends lines as the next batch of `fileId`, continuing from its last offset; resolves with the ack. */
  async send(file: string, lines: string[], options: Parameters<TestAgent['sendFrame']>[2] = {}): Promise<HubToAgent> {
    const batch = this.sendFrame(file, lines, options);
    // Acks are cumulative and coalesced per event-loop turn: a later batch's ack covers this one.
    return this.peer.inbox.next(`ack ${batch}`, (message) => message.type === 'ack' && message.batch >= batch);
  }

  /** Sends lines as the next batch without waiting for anything; returns its batch number. */
  sendFrame(file: string, lines: string[], options: { fileId?: string; offset?: number; truncated?: number[]; redaction?: string; redactions?: Record<string, number>; ts?: number } = {}): number {
    const fileId = options.fileId ?? `${file}#1`;
    const body = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    const offset = options.offset ?? this.offsets.get(fileId) ?? 0;
    this.batch += 1;
    const header: LinesHeader = {
      batch: this.batch,
      file,
      fileId,
      offset,
      endOffset: offset + body.length,
      lineCount: lines.length,
      ts: options.ts ?? Date.now(),
      ...(options.truncated ? { truncated: options.truncated } : {}),
      ...(options.redaction ? { redaction: options.redaction } : {}),
      ...(options.redactions ? { redactions: options.redactions } : {}),
    };
    this.offsets.set(fileId, header.endOffset);
    this.peer.socket.send(encodeLinesFrame(header, body));
    return this.batch;
  }

  close(): void {
    this.peer.socket.close();
  }
}

export class TestViewer {
  private constructor(readonly peer: Peer<HubToClient>) {}

  get inbox(): Inbox<HubToClient> {
    return this.peer.inbox;
  }

  /** Opens a viewer socket and sends hello (unless `hello` is false); waits for welcome when sent. */
  static async connect(
    hub: TestHub,
    options: { headers?: Record<string, string>; token?: string; hello?: boolean; ws?: WebSocket.ClientOptions } = {},
  ): Promise<TestViewer> {
    const peer = await connect<HubToClient>(`${hub.wsUrl}/ws/client`, options.headers ?? {}, options.ws);
    const viewer = new TestViewer(peer);
    if (options.hello !== false) {
      viewer.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'test', ...(options.token ? { token: options.token } : {}) });
    }
    return viewer;
  }

  send(message: unknown): void {
    this.peer.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async subscribe(sub: string, filter: Record<string, unknown>, backlog?: number): Promise<HubToClient> {
    this.send({ type: 'subscribe', sub, filter, ...(backlog === undefined ? {} : { backlog }) });
    return this.inbox.next(`subscribed or error for ${sub}`, (m) => (m.type === 'subscribed' || m.type === 'error') && m.sub === sub);
  }

  /** Collects matched lines of `sub` until `count` have arrived. */
  async collect(sub: string, count: number): Promise<Array<{ line: string; ranges: Array<[number, number]>; id: string }>> {
    const out: Array<{ line: string; ranges: Array<[number, number]>; id: string }> = [];
    while (out.length < count) {
      const message = await this.inbox.next(`${count - out.length} more lines for ${sub}`, (m) => m.type === 'matches' && m.sub === sub);
      if (message.type === 'matches') out.push(...message.lines.map(({ line, ranges, id }) => ({ line, ranges, id })));
    }
    return out;
  }
}
