import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from './wait.js';

/** Debian's nats-server (`.ci/run` installs it); overridable for a local build. */
export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A nats-server with JetStream for one test, on loopback. The first start takes a free port (-p -1,
 * read back from its log); `restart()` comes back on the same port with the same store directory,
 * as a restarted production server would.
 */
export class NatsServer {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];
  port = 0;

  private constructor(private readonly storeDir: string) {}

  static async start(storeDir: string): Promise<NatsServer> {
    const server = new NatsServer(storeDir);
    await server.launch(-1);
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async launch(port: number): Promise<void> {
    const from = this.output.length;
    const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', this.storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    await this.launch(this.port);
  }

  log(): string {
    return this.output.slice(-40).join('\n');
  }
}
