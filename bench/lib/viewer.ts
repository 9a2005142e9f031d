import { HubClient } from '../../lib/hub-client.js';
import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import { waitUntil } from './processes.js';

/**
 * A viewer for the benchmarks, built on lib/hub-client.ts like `supergrep tail`: one subscription,
 * a callback per delivered batch of lines (with the time it arrived), counts of lines and drops.
 */
export class BenchViewer {
  readonly client: HubClient;
  received = 0;
  dropped = 0;
  lastArrival = 0;
  private subscribed = false;
  private readonly errors: string[] = [];

  constructor(hubUrl: string, filter: FilterSpec, onLines?: (lines: MatchedLine[]) => void) {
    this.client = new HubClient({ hub: hubUrl, clientName: 'supergrep-bench', reconnect: false });
    this.client.on('matches', (_sub, lines) => {
      this.received += lines.length;
      this.lastArrival = performance.now();
      onLines?.(lines);
    });
    this.client.on('dropped', (_sub, count) => {
      this.dropped += count;
    });
    this.client.on('subscribed', () => {
      this.subscribed = true;
    });
    this.client.on('hubError', (error) => this.errors.push(`${error.code}: ${error.message}`));
    this.client.on('fatal', (error) => this.errors.push(error.message));
    this.client.subscribe({ sub: 's', filter });
    this.client.connect();
  }

  async ready(): Promise<this> {
    await waitUntil('the viewer subscription', () => this.subscribed || this.errors.length > 0);
    if (this.errors.length > 0) throw new Error(`viewer: ${this.errors.join('; ')}`);
    return this;
  }

  close(): void {
    this.client.close();
  }
}
