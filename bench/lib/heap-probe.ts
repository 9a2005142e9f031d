import WebSocket from 'ws';
import type { Child } from './processes.js';
import { waitUntil } from './processes.js';

/** The Node options that open the inspector on a free loopback port, for HeapProbe. */
export const INSPECT_ARG = '--inspect=127.0.0.1:0';

export interface HeapSample {
  /** After a full GC, in MB. */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  rssMb: number;
}

/**
 * Forces a full GC in a process started with INSPECT_ARG, through its inspector, and reads its
 * process.memoryUsage(): what stays after a GC tells a JS heap leak from memory the allocator or
 * V8 keeps. A diagnostic: forcing GCs changes the memory it watches.
 */
export class HeapProbe {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.error ? new Error(message.error.message) : message.result);
      this.pending.delete(message.id);
    });
  }

  /** Connects to the inspector `child` announced on stderr. */
  static async attach(child: Child): Promise<HeapProbe> {
    const url = await waitUntil(`${child.name}'s inspector`, () => child.stderrLines.map((line) => /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]).find(Boolean));
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new HeapProbe(socket);
  }

  private async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve) => this.pending.set(id, resolve));
    this.socket.send(JSON.stringify({ id, method, params }));
    const result = await answer;
    if (result instanceof Error) throw result;
    return result;
  }

  async sample(): Promise<HeapSample> {
    await this.call('HeapProfiler.collectGarbage');
    const answer = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    const usage = JSON.parse(answer.result.value) as Record<string, number>;
    const mb = (bytes: number | undefined) => (bytes ?? Number.NaN) / 1024 / 1024;
    return { heapUsedMb: mb(usage.heapUsed), heapTotalMb: mb(usage.heapTotal), externalMb: mb(usage.external), arrayBuffersMb: mb(usage.arrayBuffers), rssMb: mb(usage.rss) };
  }

  close(): void {
    this.socket.close();
  }
}
