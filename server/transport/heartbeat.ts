import type { WebSocket } from 'ws';

/**
 * Pings every tracked socket each interval and terminates those that did not answer the previous
 * ping (ws README, "How to detect and close broken connections?"). A peer behind a dead NAT or a
 * crashed host would otherwise keep its queue and its agent slot forever.
 */
export class Heartbeat {
  /** Sockets, whether they answered since the last ping, and what to log about them. */
  private readonly peers = new Map<WebSocket, { answered: boolean; context: Record<string, unknown> }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    intervalMs: number,
    private readonly onDead: (context: Record<string, unknown>) => void = () => {},
  ) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  /** Starts watching `socket`; `context` (endpoint, remote address) is passed to onDead. */
  track(socket: WebSocket, context: Record<string, unknown>): void {
    const peer = { answered: true, context };
    this.peers.set(socket, peer);
    socket.on('pong', () => {
      peer.answered = true;
    });
    socket.once('close', () => this.peers.delete(socket));
  }

  private beat(): void {
    for (const [socket, peer] of this.peers) {
      if (!peer.answered) {
        this.peers.delete(socket);
        this.onDead(peer.context);
        socket.terminate();
        continue;
      }
      peer.answered = false;
      try {
        socket.ping();
      } catch {
        // ping throws only if the socket is not open yet or already closing; its close handler cleans up.
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.peers.clear();
  }
}
