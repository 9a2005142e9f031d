import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { offsetProblem } from '../../server/ingest/frame-checks.js';
import {
  agentToHubSchema,
  CLOSE_CODES,
  decodeLinesFrame,
  DEFAULT_LIMITS,
  parseMessage,
  PROTOCOL_VERSION,
  type AgentHello,
  type AgentWelcome,
  type ErrorCode,
  type LinesHeader,
  type ResumePoint,
} from '../../protocol/node.js';

export interface FakeHubOptions {
  /** 0 (default) picks a free port; pass an old hub's port to come back on the same address. */
  port?: number;
  /** When set, upgrades without `Authorization: Bearer <token>` get a 401. */
  token?: string;
  /** Resume points in the welcome: what this hub holds (default), none, or a fixed list. */
  resume?: 'held' | 'none' | ResumePoint[];
  /** Acknowledge every batch as it arrives (default true). */
  autoAck?: boolean;
  limits?: AgentWelcome['limits'];
  /** Keep every line's text (default true); off for throughput runs, which only count. */
  recordLines?: boolean;
  /** Answer pings (default true); off to play a hub that hangs. */
  autoPong?: boolean;
  /** Answer the hello with this error and close, as a hub that refuses the agent. */
  rejectHelloWith?: ErrorCode;
}

/** What this hub received for one generation of one file, in arrival order (duplicates included). */
export interface ReceivedFile {
  file: string;
  fileId: string;
  lines: string[];
  /** End of the furthest batch received: what a real hub would report as its resume point. */
  heldOffset: number;
  truncatedLines: number;
  droppedBytes: number;
}

interface Pending {
  batch: number;
  bodyBytes: number;
}

interface Peer {
  socket: WebSocket;
  hello: AgentHello | undefined;
  nextBatch: number;
  pending: Pending[];
}

/**
 * The hub side of the agent protocol, small enough to reason about in a test: a `ws` server on a
 * loopback port that answers the hello, decodes lines frames, records lines per file and acknowledges
 * (or withholds acknowledgements, or drops connections, on command). Everything it finds wrong with
 * what the agent sent goes to `problems`, which tests expect to stay empty.
 */
export class FakeHub {
  readonly hellos: AgentHello[] = [];
  readonly authorizations: (string | undefined)[] = [];
  readonly batches: LinesHeader[] = [];
  readonly problems: string[] = [];
  readonly files = new Map<string, ReceivedFile>();
  connectionCount = 0;
  lineCount = 0;
  unackedBytes = 0;
  maxUnackedBytes = 0;
  private readonly peers = new Set<Peer>();
  private autoAck: boolean;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly options: FakeHubOptions,
  ) {
    this.autoAck = options.autoAck ?? true;
  }

  static async start(options: FakeHubOptions = {}): Promise<FakeHub> {
    const server = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true, maxPayload: DEFAULT_LIMITS.maxAgentFrameBytes });
    const hub = new FakeHub(server, wss, options);
    server.on('upgrade', (req, socket, head) => hub.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return hub;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The base URL an agent is configured with. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.peers.size;
  }

  /** Every line received for `file` (the reported path), across generations, in arrival order. */
  linesOf(file: string): string[] {
    return [...this.files.values()].filter((received) => received.file === file).flatMap((received) => received.lines);
  }

  /** The generations (fileIds) received for `file`, in first-seen order. */
  fileIdsOf(file: string): string[] {
    return [...this.files.values()].filter((received) => received.file === file).map((received) => received.fileId);
  }

  /** Starts or stops acknowledging; starting acknowledges everything withheld so far. */
  setAutoAck(on: boolean): void {
    this.autoAck = on;
    if (on) for (const peer of this.peers) this.ackPending(peer);
  }

  /** Acknowledges the batches withheld so far up to `batch` (a cumulative ack), leaving later ones in flight. */
  ackUpTo(batch: number): void {
    for (const peer of this.peers) {
      const acked = peer.pending.filter((pending) => pending.batch <= batch);
      if (acked.length === 0) continue;
      for (const pending of acked) this.unackedBytes -= pending.bodyBytes;
      peer.pending = peer.pending.filter((pending) => pending.batch > batch);
      peer.socket.send(JSON.stringify({ type: 'ack', batch: acked.at(-1)!.batch }));
    }
  }

  /** Cuts every agent connection without a close handshake, as a crashed hub or a dead network would. */
  dropConnections(): void {
    for (const peer of this.peers) peer.socket.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The agent resets a refused handshake's socket; as in the real hub's upgrade router, that reset
    // must not surface as an unhandled 'error' event and fail whichever test is running.
    socket.on('error', () => {});
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    this.authorizations.push(req.headers.authorization);
    if (path !== '/ws/agent') return refuse(socket, 404, 'Not Found');
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return refuse(socket, 401, 'Unauthorized');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(socket: WebSocket): void {
    const peer: Peer = { socket, hello: undefined, nextBatch: 1, pending: [] };
    this.peers.add(peer);
    this.connectionCount += 1;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) this.onFrame(peer, bytes);
      else this.onText(peer, bytes.toString('utf8'));
    });
    socket.on('close', () => {
      this.peers.delete(peer);
      for (const pending of peer.pending) this.unackedBytes -= pending.bodyBytes;
      peer.pending = [];
    });
  }

  private onText(peer: Peer, text: string): void {
    const parsed = parseMessage(agentToHubSchema, text);
    if (!parsed.ok) return void this.problems.push(`invalid text message: ${parsed.error}`);
    if (peer.hello) return void this.problems.push('second hello on one connection');
    peer.hello = parsed.value;
    this.hellos.push(parsed.value);
    if (this.options.rejectHelloWith) {
      peer.socket.send(JSON.stringify({ type: 'error', code: this.options.rejectHelloWith, message: 'refused by the fake hub' }));
      peer.socket.close(CLOSE_CODES.unauthorized, 'refused');
      return;
    }
    const welcome: AgentWelcome = {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      hubId: 'fake-hub',
      resume: this.resumePoints(),
      limits: this.options.limits ?? { maxFrameBytes: DEFAULT_LIMITS.maxAgentFrameBytes, maxLineBytes: DEFAULT_LIMITS.maxLineBytes },
    };
    peer.socket.send(JSON.stringify(welcome));
  }

  private onFrame(peer: Peer, frame: Buffer): void {
    if (!peer.hello) return void this.problems.push('lines frame before hello');
    let header: LinesHeader;
    let body: Buffer;
    try {
      ({ header, body } = decodeLinesFrame(frame));
    } catch (error) {
      return void this.problems.push(`bad frame: ${(error as Error).message}`);
    }
    if (header.batch !== peer.nextBatch) this.problems.push(`batch ${header.batch} arrived, expected ${peer.nextBatch}`);
    peer.nextBatch = header.batch + 1;
    this.batches.push(header);
    this.record(header, body);
    peer.pending.push({ batch: header.batch, bodyBytes: body.length });
    this.unackedBytes += body.length;
    this.maxUnackedBytes = Math.max(this.maxUnackedBytes, this.unackedBytes);
    if (this.autoAck) this.ackPending(peer);
  }

  private record(header: LinesHeader, body: Buffer): void {
    let received = this.files.get(header.fileId);
    if (!received) {
      received = { file: header.file, fileId: header.fileId, lines: [], heldOffset: header.offset, truncatedLines: 0, droppedBytes: 0 };
      this.files.set(header.fileId, received);
    }
    if (received.file !== header.file) this.problems.push(`fileId ${header.fileId} reported as ${header.file} after ${received.file}`);
    // Lines may legitimately be sent twice (re-read after a lost ack), never skipped.
    if (header.offset > received.heldOffset) this.problems.push(`gap in ${header.file} (${header.fileId}): batch starts at ${header.offset}, hub holds up to ${received.heldOffset}`);
    // The real hub's bound on what a body's offsets may span (server/ingest/frame-checks.ts).
    const offsets = offsetProblem(header, body.length, this.options.limits?.maxLineBytes ?? DEFAULT_LIMITS.maxLineBytes);
    if (offsets !== undefined) this.problems.push(`batch ${header.batch}: ${offsets}`);
    received.heldOffset = Math.max(received.heldOffset, header.endOffset);
    received.truncatedLines += header.truncated?.length ?? 0;
    received.droppedBytes += header.droppedBytes ?? 0;
    this.lineCount += header.lineCount;
    if (this.options.recordLines === false) return;
    if (!isUtf8(body)) this.problems.push(`body of batch ${header.batch} is not valid UTF-8`);
    if (body.includes('\r\n')) this.problems.push(`body of batch ${header.batch} has a \\r before a \\n`);
    const lines = body.toString('utf8').split('\n');
    lines.pop();
    if (lines.length !== header.lineCount) this.problems.push(`batch ${header.batch} says ${header.lineCount} lines, body has ${lines.length}`);
    for (const line of lines) received.lines.push(line);
  }

  private ackPending(peer: Peer): void {
    const last = peer.pending.at(-1);
    if (!last) return;
    for (const pending of peer.pending) this.unackedBytes -= pending.bodyBytes;
    peer.pending = [];
    peer.socket.send(JSON.stringify({ type: 'ack', batch: last.batch }));
  }

  private resumePoints(): ResumePoint[] {
    const resume = this.options.resume ?? 'held';
    if (resume === 'none') return [];
    if (resume !== 'held') return resume;
    return [...this.files.values()].map((received) => ({ file: received.file, fileId: received.fileId, offset: received.heldOffset }));
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
