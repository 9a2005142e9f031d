import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubClient } from '../../lib/hub-client.js';
import type { FilterSpec, HubToClient, MatchedLine } from '../../protocol/index.js';
import { api, metricValue } from './http-api.js';
import type { NatsServer } from './nats-server.js';
import { startHub, type TestHub } from './supergrep.js';
import { waitFor } from './wait.js';

/**
 * A hub of a cluster, started through the real CLI with `--nats`. Pin counts are flushed every
 * 200 ms so that shared rates settle quickly.
 */
export async function startClusterHub(nats: Pick<NatsServer, 'url'>, dir: string, name: string, options: Record<string, unknown> = {}): Promise<TestHub & { id: string }> {
  const config = join(dir, `${name}.json`);
  await writeFile(config, JSON.stringify({ pinFlushIntervalMs: 200, ...options }));
  const hub = await startHub({ dataDir: join(dir, name), args: ['--nats', nats.url, '--config', config, '--log-level', 'debug'] });
  const health = await api<{ hubId: string }>(hub.url, 'GET', '/healthz');
  return { ...hub, id: health.body.hubId };
}

/** The name a hub's NATS connection goes by (server/cluster/nats-link.ts), as nats-server's /connz lists it. */
export function natsConnectionName(hub: { id: string }): string {
  return `supergrep-hub-${hub.id}`;
}

/** One sample of a hub's /metrics (0 when the series is absent). */
export async function hubMetric(hub: TestHub, series: string): Promise<number> {
  const answer = await api(hub.url, 'GET', '/metrics');
  return metricValue(answer.text, series) ?? 0;
}

export interface NatsHealthBody {
  status: string;
  nats: { connected: boolean; peers: number; disconnects: number };
}

/** Waits until `hub` knows `peers` other hubs (so a scatter-gather asks them all). */
export async function waitForPeers(hub: TestHub, peers: number): Promise<void> {
  await waitFor(`${hub.url} to see ${peers} other hubs`, async () => (await api<NatsHealthBody>(hub.url, 'GET', '/healthz')).body.nats.peers === peers);
}

/**
 * A viewer that keeps every message the hub sent, unfiltered: HubClient hides lines whose id it has
 * seen, which would hide a hub sending a line twice.
 */
export class RawViewer {
  readonly messages: HubToClient[] = [];
  readonly client: HubClient;
  private subscribed = false;

  constructor(hubUrl: string, filter: FilterSpec, options: { backlog?: number } = {}) {
    this.client = new HubClient({ hub: hubUrl, clientName: 'cluster-test', reconnectBaseMs: 50, reconnectCapMs: 500 });
    this.client.on('message', (message: HubToClient) => {
      this.messages.push(message);
      if (message.type === 'subscribed') this.subscribed = true;
    });
    this.client.subscribe({ sub: 's1', filter, ...(options.backlog !== undefined ? { backlog: options.backlog } : {}) });
    this.client.connect();
  }

  async ready(): Promise<this> {
    await waitFor('the subscription to be live', () => this.subscribed);
    return this;
  }

  /** Every line delivered, in order; `backlog` picks replayed or live lines only. */
  lines(backlog?: boolean): MatchedLine[] {
    return this.messages.flatMap((message) =>
      message.type === 'matches' && (backlog === undefined || (message.backlog === true) === backlog) ? message.lines : [],
    );
  }

  texts(backlog?: boolean): string[] {
    return this.lines(backlog).map((line) => line.line);
  }

  events<T extends HubToClient['type']>(type: T): Array<Extract<HubToClient, { type: T }>> {
    return this.messages.filter((message): message is Extract<HubToClient, { type: T }> => message.type === type);
  }

  /** Waits until a line with exactly `text` has arrived. */
  waitForLine(text: string, timeoutMs = 20_000): Promise<boolean> {
    return waitFor(`the line ${JSON.stringify(text)} (have ${this.lines().length} lines)`, () => this.texts().includes(text), timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}
