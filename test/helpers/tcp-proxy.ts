import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  stalled: boolean;
}

/**
 * A loopback TCP proxy that can stall: it stops forwarding in both directions without closing
 * anything, the way a dead NAT entry or a black-holed route looks to both ends. Connections made
 * while stalled are accepted and held, never forwarded (a handshake through it hangs). `resume()`
 * cuts the connections that lived through the stall (both ends have given up on them by then) and
 * forwards new ones again.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops forwarding; every byte already sent stays in the kernel's buffers, undelivered. */
  stall(): void {
    this.stalled = true;
    for (const pair of this.pairs) this.freeze(pair);
  }

  /**
   * Stops forwarding what the target sends back (a hub's acks) while the client's bytes still go
   * through: the target takes everything in and the client hears nothing.
   */
  holdReplies(): void {
    for (const pair of this.pairs) {
      pair.upstream?.unpipe(pair.client);
      pair.upstream?.pause();
    }
  }

  /**
   * Cuts every connection and stalls: both ends see theirs close at once (a restarted router, a
   * peer's process gone), and connections made from now on hang until `resume()`.
   */
  disconnect(): void {
    this.stalled = true;
    for (const pair of [...this.pairs]) this.cut(pair);
  }

  resume(): void {
    this.stalled = false;
    for (const pair of [...this.pairs]) if (pair.stalled) this.cut(pair);
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.cut(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    const pair: Pair = { client, upstream: undefined, stalled: false };
    this.pairs.add(pair);
    client.on('error', () => this.cut(pair));
    client.on('close', () => this.cut(pair));
    if (this.stalled) {
      this.freeze(pair);
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => this.cut(pair));
    upstream.on('close', () => this.cut(pair));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private freeze(pair: Pair): void {
    pair.stalled = true;
    pair.client.unpipe();
    pair.client.pause();
    if (pair.upstream) {
      pair.upstream.unpipe();
      pair.upstream.pause();
    }
  }

  private cut(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
