import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../lib/logger.js';

/** What /healthz says about NATS. */
export interface NatsHealth {
  url: string;
  connected: boolean;
  /** When the connection was last lost (ISO), while it is down. */
  disconnectedSince?: string;
  /** Times the connection was lost since the hub started. */
  disconnects: number;
  /** Other hubs heard from recently. */
  peers: number;
}

/** Prometheus series of the cluster, in the hub's registry. */
export class ClusterMetrics {
  readonly connected: Gauge;
  readonly disconnects: Counter;
  readonly linesPublished: Counter;
  readonly bytesPublished: Counter;
  readonly linesUnpublished: Counter;
  readonly publishUnconfirmed: Counter<'reason'>;
  readonly linesReceived: Counter;
  readonly bytesReceived: Counter;
  readonly batchesRejected: Counter;
  readonly gaps: Counter;
  readonly subjects: Gauge;
  readonly peers: Gauge;
  readonly queriesFailed: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.connected = new Gauge({ name: 'supergrep_nats_connected', help: '1 while the hub is connected to NATS', registers });
    this.disconnects = new Counter({ name: 'supergrep_nats_disconnects_total', help: 'Times the NATS connection was lost', registers });
    this.linesPublished = new Counter({ name: 'supergrep_nats_lines_published_total', help: 'Lines of this hub\u2019s agents published to other hubs', registers });
    this.bytesPublished = new Counter({ name: 'supergrep_nats_bytes_published_total', help: 'Bytes of published line batches (headers included)', registers });
    this.linesUnpublished = new Counter({
      name: 'supergrep_nats_lines_unpublished_total',
      help: 'Lines of this hub\u2019s agents not published because NATS was unreachable (other hubs never see them live)',
      registers,
    });
    this.publishUnconfirmed = new Counter({
      name: 'supergrep_nats_publish_unconfirmed_total',
      help: 'Flush round trips after publishing that NATS did not answer in time (or failed); the agents were acknowledged anyway',
      labelNames: ['reason'] as const,
      registers,
    });
    this.linesReceived = new Counter({ name: 'supergrep_nats_lines_received_total', help: 'Lines received from other hubs', registers });
    this.bytesReceived = new Counter({ name: 'supergrep_nats_bytes_received_total', help: 'Bytes of line batches received from other hubs (headers included)', registers });
    this.batchesRejected = new Counter({ name: 'supergrep_nats_batches_rejected_total', help: 'Malformed line batches received over NATS and dropped', registers });
    this.gaps = new Counter({
      name: 'supergrep_nats_gaps_total',
      help: 'Times a remote source\u2019s lines did not follow the ones held (interest came late, or NATS dropped messages)',
      registers,
    });
    this.subjects = new Gauge({ name: 'supergrep_nats_line_subjects', help: 'Line subjects this hub subscribes to for its viewers', registers });
    this.peers = new Gauge({ name: 'supergrep_nats_peers', help: 'Other hubs heard from recently', registers });
    this.queriesFailed = new Counter({
      name: 'supergrep_nats_queries_failed_total',
      help: 'Backlog, context or store requests over NATS that failed or timed out',
      labelNames: ['kind'] as const,
      registers,
    });
  }
}

export interface NatsLinkOptions {
  url: string;
  hubId: string;
  logger: Logger;
  metrics: ClusterMetrics;
  /** How long the first connection may take before the hub refuses to start. */
  connectTimeoutMs: number;
  /** Called after every reconnection (subscriptions are restored by the client itself). */
  onReconnect?(): void;
}

/**
 * The hub's one NATS connection. It reconnects for ever (the hub keeps serving its own agents and
 * viewers meanwhile); `connected` says whether publishing makes sense right now. Echo is off: a hub
 * never receives its own publications, even on subjects it subscribes to.
 */
export class NatsLink {
  private disconnectedAtMs: number | undefined;
  private disconnects = 0;
  peersCount = 0;

  private constructor(
    readonly nc: NatsConnection,
    private readonly options: NatsLinkOptions,
  ) {
    options.metrics.connected.set(1);
    void this.watchStatus();
  }

  static async open(options: NatsLinkOptions): Promise<NatsLink> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.url,
        name: `supergrep-hub-${options.hubId}`,
        noEcho: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        reconnectJitter: 250,
        timeout: options.connectTimeoutMs,
        pingInterval: 10_000,
        maxPingOut: 2,
      });
    } catch (cause) {
      throw new Error(`cannot connect to NATS at ${options.url}: ${(cause as Error).message}`, { cause });
    }
    options.logger.info({ nats: options.url }, 'connected to NATS');
    return new NatsLink(nc, options);
  }

  get connected(): boolean {
    return this.disconnectedAtMs === undefined && !this.nc.isClosed();
  }

  health(): NatsHealth {
    return {
      url: this.options.url,
      connected: this.connected,
      ...(this.disconnectedAtMs === undefined ? {} : { disconnectedSince: new Date(this.disconnectedAtMs).toISOString() }),
      disconnects: this.disconnects,
      peers: this.peersCount,
    };
  }

  private async watchStatus(): Promise<void> {
    const { logger, metrics } = this.options;
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' && this.disconnectedAtMs === undefined) {
        this.disconnectedAtMs = Date.now();
        this.disconnects += 1;
        metrics.disconnects.inc();
        metrics.connected.set(0);
        logger.warn({ nats: this.options.url }, 'lost NATS: serving this hub\u2019s own agents and viewers only until it returns');
      } else if (status.type === 'reconnect') {
        const downMs = this.disconnectedAtMs === undefined ? 0 : Date.now() - this.disconnectedAtMs;
        this.disconnectedAtMs = undefined;
        metrics.connected.set(1);
        logger.info({ nats: this.options.url, downMs }, 'NATS is back: lines flow between hubs again');
        this.options.onReconnect?.();
      } else if (status.type === 'slowConsumer') {
        logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'NATS subscription falls behind: the client drops messages');
      }
    }
  }

  /** Drains subscriptions and closes; safe to call twice. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      // Draining needs the server; without it there is nothing in flight worth waiting for.
      if (this.connected) await this.nc.drain();
      else await this.nc.close();
    } catch {
      // Draining a connection that is down fails; closing it is all that is left to do.
      await this.nc.close().catch(() => undefined);
    }
    this.options.metrics.connected.set(0);
  }
}
