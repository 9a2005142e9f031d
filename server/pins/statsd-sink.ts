import { StatsD, type ClientOptions } from 'hot-shots';
import type { Logger } from '../../lib/logger.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import type { StatsdTarget } from './statsd-target.js';

/** A failing StatsD server is logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export interface StatsdSinkOptions {
  target: StatsdTarget;
  /** Prepended to every name, e.g. "supergrep." */
  prefix: string;
  /** Counts are summed over this interval and sent as one increment per stat. */
  flushIntervalMs: number;
  logger: Logger;
  /** Called for every send error (after it is logged or throttled), for a metric. */
  onError?(err: Error): void;
  /** Test seam: client options merged over the defaults. */
  clientOptions?: ClientOptions;
}

/**
 * Sends counters to StatsD over UDP (hot-shots). Matches arrive per batch, many per second; they are
 * summed per stat and sent once per flush interval, so a busy pin costs one datagram a second. UDP
 * send errors (no route, port unreachable, DNS) are logged, rate-limited, and never thrown: losing a
 * metric must not take the hub down.
 */
export class StatsdSink {
  private readonly client: StatsD;
  private readonly pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly errorLog = new LogThrottle(ERROR_LOG_INTERVAL_MS);
  private closed = false;

  constructor(private readonly options: StatsdSinkOptions) {
    this.client = new StatsD({
      host: options.target.host,
      port: options.target.port,
      prefix: options.prefix,
      protocol: 'udp',
      cacheDns: true,
      // Plain StatsD for Graphite: no Datadog extensions, even when DD_* variables are set.
      datadog: false,
      includeDatadogTelemetry: false,
      telegraf: false,
      errorHandler: (err) => this.onError(err),
      ...options.clientOptions,
    });
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Adds `count` to `stat` for the next flush. */
  add(stat: string, count: number): void {
    if (this.closed || count <= 0) return;
    this.pending.set(stat, (this.pending.get(stat) ?? 0) + count);
  }

  /** Drops what is pending for a stat that no longer exists (a deleted pin). */
  forget(stat: string): void {
    this.pending.delete(stat);
  }

  /** Sends one increment per stat with counts since the last flush. */
  flush(): void {
    for (const [stat, count] of this.pending) {
      try {
        this.client.increment(stat, count);
      } catch (err) {
        // hot-shots reports through errorHandler; this catches anything thrown synchronously.
        this.onError(err as Error);
      }
    }
    this.pending.clear();
  }

  /** Sends what is pending and closes the socket. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    return new Promise((resolve) => {
      this.client.close((err) => {
        if (err) this.onError(err);
        resolve();
      });
    });
  }

  private onError(err: Error): void {
    const { target, logger } = this.options;
    this.errorLog.run((suppressed) =>
      logger.warn({ err, statsd: `${target.host}:${target.port}`, suppressedSinceLast: suppressed }, 'StatsD send failed; pin counts not delivered'),
    );
    this.options.onError?.(err);
  }
}
