import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from './wait.js';

/** One client connection as nats-server's monitoring sees it. */
export interface NatsConnectionStats {
  outMsgs: number;
  outBytes: number;
  /** Each subscription with the messages delivered through it. */
  subscriptions: Array<{ subject: string; msgs: number }>;
}

/** Debian's nats-server (`.ci/run` installs it); overridable for a local build. */
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A nats-server with JetStream for one test, on loopback. The first start takes free ports (-p -1
 * and -m -1, read back from its log); `restart()` comes back on the same ports with the same store
 * directory, as a restarted production server would. The monitoring port lets a test ask the
 * server itself what each hub subscribed to and was sent, independently of the hubs' own metrics.
 */
export class NatsServer {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];
  port = 0;
  monitorPort = 0;

  private constructor(
    private readonly storeDir: string,
    private readonly jetstream: boolean,
  ) {}

  /** `jetstream: false` starts a server without -js, which a hub must refuse. */
  static async start(storeDir: string, options: { jetstream?: boolean } = {}): Promise<NatsServer> {
    const server = new NatsServer(storeDir, options.jetstream ?? true);
    await server.launch(-1, -1);
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async launch(port: number, monitorPort: number): Promise<void> {
    const from = this.output.length;
    const args = [...(this.jetstream ? ['-js'] : []), '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-sd', this.storeDir];
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.output.push(...chunk.split('\n').filter(Boolean)));
    }
    const exited = once(child, 'exit');
    await waitFor('nats-server to be ready', () => {
      if (child.exitCode !== null) throw new Error(`nats-server exited: ${this.log()}`);
      const lines = this.output.slice(from);
      const listening = lines.map((line) => /Listening for client connections on [\d.]+:(\d+)/.exec(line)).find(Boolean);
      if (listening) this.port = Number(listening[1]);
      const monitor = lines.map((line) => /Starting http monitor on [\d.]+:(\d+)/.exec(line)).find(Boolean);
      if (monitor) this.monitorPort = Number(monitor[1]);
      return lines.some((line) => line.includes('Server is ready'));
    }, 15_000).catch(async (error: Error) => {
      child.kill('SIGKILL');
      await exited;
      throw error;
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Starts it again on the same port and store directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch(this.port, this.monitorPort);
  }

  /**
   * What the server holds for the client connection named `name` (`/connz?subs=detail`): the
   * subjects it subscribed to and the messages and bytes it was sent. Undefined when not connected.
   */
  async connection(name: string): Promise<NatsConnectionStats | undefined> {
    const answer = await fetch(`http://127.0.0.1:${this.monitorPort}/connz?subs=detail&limit=1024`);
    if (!answer.ok) throw new Error(`nats-server /connz answered ${answer.status}`);
    const body = (await answer.json()) as { connections?: Array<{ name?: string; out_msgs: number; out_bytes: number; subscriptions_list_detail?: Array<{ subject: string; msgs: number }> }> };
    const found = body.connections?.find((connection) => connection.name === name);
    if (!found) return undefined;
    return {
      outMsgs: found.out_msgs,
      outBytes: found.out_bytes,
      subscriptions: (found.subscriptions_list_detail ?? []).map((sub) => ({ subject: sub.subject, msgs: sub.msgs })),
    };
  }

  log(): string {
    return this.output.slice(-40).join('\n');
  }
}
