import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CanaryReport } from './canary-tracker.js';

/**
 * The canary's Prometheus metrics, in a registry of their own. Counters move by each interval's
 * counts, so `rate()` over them and the stdout lines agree; the latency histogram is fed line by line.
 */
export class CanaryMetrics {
  readonly registry = new Registry();
  private readonly counter = (name: string, help: string) => new Counter({ name, help, registers: [this.registry] });
  readonly written = this.counter('supergrep_canary_lines_written_total', 'Canary lines written to the file');
  readonly received = this.counter('supergrep_canary_lines_received_total', 'Canary lines received back through the hub (first copies, late ones included)');
  readonly lost = this.counter('supergrep_canary_lines_lost_total', 'Canary lines not received within --loss-after-ms of being written');
  readonly late = this.counter('supergrep_canary_lines_late_total', 'Canary lines counted lost that arrived after all');
  readonly duplicates = this.counter('supergrep_canary_duplicate_lines_total', 'Canary lines received more than once');
  readonly reordered = this.counter('supergrep_canary_out_of_order_lines_total', 'Canary lines received after a line written later than them');
  readonly unexpected = this.counter('supergrep_canary_unexpected_lines_total', 'Canary lines with a sequence number never written or too old to remember');
  readonly hubDropped = this.counter('supergrep_canary_hub_dropped_lines_total', 'Lines the hub dropped from the canary\u2019s queue because it read too slowly');
  readonly reconnects = this.counter('supergrep_canary_reconnects_total', 'Times the canary\u2019s viewer connection to the hub was lost');
  readonly writeErrors = this.counter('supergrep_canary_write_errors_total', 'Failed writes to the canary file (their lines count as lost)');
  readonly pending = new Gauge({ name: 'supergrep_canary_pending_lines', help: 'Canary lines written and neither received nor lost yet', registers: [this.registry] });
  readonly connected = new Gauge({ name: 'supergrep_canary_connected', help: '1 while the canary\u2019s viewer connection to the hub is up', registers: [this.registry] });
  readonly intervalLatency = new Gauge({
    name: 'supergrep_canary_interval_latency_seconds',
    help: 'Write-to-receipt latency over the last interval: quantile 0.5, 0.99, and 1 (the maximum)',
    labelNames: ['quantile'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'supergrep_canary_latency_seconds',
    help: 'Write-to-receipt latency of canary lines',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** Adds one interval's counts. */
  addInterval(report: CanaryReport): void {
    this.written.inc(report.written);
    this.received.inc(report.received);
    this.lost.inc(report.lost);
    this.late.inc(report.late);
    this.duplicates.inc(report.duplicates);
    this.reordered.inc(report.reordered);
    this.unexpected.inc(report.unexpected);
    this.pending.set(report.pending);
    if (report.latencyMs) {
      this.intervalLatency.labels('0.5').set(report.latencyMs.p50 / 1000);
      this.intervalLatency.labels('0.99').set(report.latencyMs.p99 / 1000);
      this.intervalLatency.labels('1').set(report.latencyMs.max / 1000);
    }
  }

  /** Serves GET /metrics on host:port (port 0: any free one); resolves with the server and its URL. */
  async serve(host: string, port: number): Promise<{ server: Server; url: string }> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || new URL(request.url ?? '/', 'http://canary').pathname !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
    return { server, url: `http://${shownHost}:${address.port}/metrics` };
  }
}
