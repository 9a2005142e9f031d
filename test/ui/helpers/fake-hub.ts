import type { ClientToHub, ClientWelcome, HubToClient, MatchedLine } from '../../../protocol/index.js';
import type { FrameScheduler } from '../../../ui/src/lib/frame-scheduler.js';
import type { HubSocket, HubSocketHandlers, SocketFactory } from '../../../ui/src/lib/hub/hub-client.js';

/** One fake WebSocket: records what the client sends, lets the test play the hub. */
export class FakeSocket implements HubSocket {
  readonly sent: ClientToHub[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly url: string,
    private readonly handlers: HubSocketHandlers,
  ) {}

  send(text: string): void {
    this.sent.push(JSON.parse(text) as ClientToHub);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  open(): void {
    this.handlers.open();
  }

  receive(message: HubToClient | string): void {
    this.handlers.message(typeof message === 'string' ? message : JSON.stringify(message));
  }

  welcome(overrides: Partial<ClientWelcome> = {}): void {
    this.receive({
      type: 'welcome',
      protocolVersion: 1,
      hubId: 'hub-test',
      serverTime: 0,
      limits: { maxBacklogLines: 10_000, maxContextLines: 500, maxPatternLength: 1024 },
      ...overrides,
    });
  }

  /** Open, say hello back: the connection is live. */
  accept(overrides: Partial<ClientWelcome> = {}): void {
    this.open();
    this.welcome(overrides);
  }

  serverClose(code: number, reason = ''): void {
    this.handlers.close(code, reason);
  }

  sentOfType<T extends ClientToHub['type']>(type: T): Extract<ClientToHub, { type: T }>[] {
    return this.sent.filter((message): message is Extract<ClientToHub, { type: T }> => message.type === type);
  }
}

export class FakeHub {
  readonly sockets: FakeSocket[] = [];
  readonly factory: SocketFactory = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    this.sockets.push(socket);
    return socket;
  };

  get current(): FakeSocket {
    const socket = this.sockets[this.sockets.length - 1];
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }
}

/** Animation frames the test runs by hand, to see exactly what one frame commits. */
export class ManualFrames implements FrameScheduler {
  private callbacks: (() => void)[] = [];
  /** The pacing the client asked for with each request. */
  readonly intervals: number[] = [];

  request(callback: () => void, minIntervalMs: number): () => void {
    this.intervals.push(minIntervalMs);
    this.callbacks.push(callback);
    return () => {
      this.callbacks = this.callbacks.filter((c) => c !== callback);
    };
  }

  get waiting(): number {
    return this.callbacks.length;
  }

  run(): void {
    const callbacks = this.callbacks;
    this.callbacks = [];
    for (const callback of callbacks) callback();
  }
}

let nextId = 1;

export function line(text: string, overrides: Partial<MatchedLine> = {}): MatchedLine {
  return { id: `l${nextId++}`, host: 'web-1', file: '/var/log/app.log', ts: Date.UTC(2024, 4, 1, 12, 0, 0), line: text, ranges: [], ...overrides };
}
