import { randomBytes } from 'node:crypto';
import { appendFile, rename, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import { HubClient } from '../lib/hub-client.js';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_LIMITS } from '../protocol/index.js';
import { CanaryMetrics } from './canary-metrics.js';
import { CanaryTracker, type CanaryReport } from './canary-tracker.js';

export interface CanaryOptions {
  hub: string;
  token?: string;
  file: string;
  /** Lines written per second. */
  rate: number;
  intervalMs: number;
  lossAfterMs: number;
  /** The canary renames its file to `<file>.1` past this size (rename+create rotation); 0 never. */
  rotateBytes: number;
  metricsHost: string;
  metricsPort?: number;
  json: boolean;
  /** Stop writing after this long, wait for the lines in flight, print a summary and exit. */
  durationMs?: number;
}

/** How often lines are appended: the rate is spread over ticks of this length. */
const TICK_MS = 100;
/** Longest wait at the end for lines still in flight. */
const DRAIN_MS = 5_000;
/** Memory bound of the bookkeeping: 9 bytes per remembered line. */
const MAX_WINDOW_LINES = 20_000_000;

/** Everything a line carries: a run id (so another canary's lines never count), its number and the time, for people. */
export function canaryLine(runId: string, seq: number, at: Date): string {
  return `supergrep-canary run=${runId} seq=${seq} time=${at.toISOString()}`;
}

const SEQ = / seq=(\d+) /;

/** One interval (or the summary) as printed on stdout: `key=value` words, or one JSON object with --json. */
export function formatReport(report: CanaryReport, extra: { time: Date; intervalMs: number; connected: boolean; hubDropped: number }, json: boolean): string {
  if (json) return JSON.stringify({ time: extra.time.toISOString(), intervalMs: extra.intervalMs, ...report, latencyMs: report.latencyMs ?? null, connected: extra.connected, hubDropped: extra.hubDropped });
  const ms = (value: number) => (Math.round(value * 10) / 10).toString();
  const latency = report.latencyMs ? `latency_ms p50=${ms(report.latencyMs.p50)} p99=${ms(report.latencyMs.p99)} max=${ms(report.latencyMs.max)}` : 'latency_ms none';
  return (
    `${extra.time.toISOString()} written=${report.written} received=${report.received} lost=${report.lost} late=${report.late} ` +
    `duplicates=${report.duplicates} reordered=${report.reordered} unexpected=${report.unexpected} pending=${report.pending} ` +
    `${latency} hub_dropped=${extra.hubDropped} connected=${extra.connected}`
  );
}

/**
 * The canary (after Loki's): appends numbered lines to a file that an agent follows, reads them back
 * through the hub as a viewer, and reports per interval how many came back, how late, how many never,
 * twice, or out of order. Resolves with the summary when stopped by a signal or --duration-ms.
 */
export async function runCanary(options: CanaryOptions, logger: Logger, stopSignal: Promise<unknown>): Promise<CanaryReport> {
  const runId = randomBytes(4).toString('hex');
  const now = () => performance.now();
  const windowLines = Math.min(MAX_WINDOW_LINES, Math.max(10_000, Math.ceil((options.rate * options.lossAfterMs * 2) / 1000)));
  const tracker = new CanaryTracker({ lossAfterMs: options.lossAfterMs, windowLines });
  const metrics = new CanaryMetrics();
  let metricsServer: Server | undefined;
  if (options.metricsPort !== undefined) {
    const served = await metrics.serve(options.metricsHost, options.metricsPort);
    metricsServer = served.server;
    logger.info({ url: served.url }, 'canary metrics listening');
  }

  // Lines written while the viewer is away come back from the hub's backlog when it reconnects.
  const backlog = Math.min(DEFAULT_LIMITS.maxBacklogLines, Math.max(100, Math.ceil((options.rate * options.lossAfterMs) / 1000)));
  const client = new HubClient({ hub: options.hub, token: options.token, clientName: 'supergrep-canary', reconnectBacklog: backlog });
  let connected = false;
  let hubDropped = 0;
  client.on('connected', () => {
    connected = true;
    metrics.connected.set(1);
    logger.info({ hub: options.hub }, 'canary connected to the hub');
  });
  client.on('disconnected', ({ code, willRetry }) => {
    if (connected) metrics.reconnects.inc();
    connected = false;
    metrics.connected.set(0);
    logger.warn({ code, willRetry }, 'canary lost its connection to the hub');
  });
  client.on('matches', (_sub, lines) => {
    const at = now();
    for (const line of lines) {
      const latencyMs = tracker.received(Number(SEQ.exec(line.line)?.[1] ?? Number.NaN), at);
      if (latencyMs !== undefined) metrics.latency.observe(latencyMs / 1000);
    }
  });
  client.on('dropped', (_sub, count) => {
    hubDropped += count;
    metrics.hubDropped.inc(count);
  });
  const fatal = new Promise<never>((_resolve, reject) => client.on('fatal', (error) => reject(error)));
  fatal.catch(() => {
    // Handled where the canary waits for its end; this only keeps the rejection from going unhandled.
  });
  client.subscribe({ sub: 'canary', filter: { query: `^supergrep-canary run=${runId} seq=\\d+ ` }, backlog });
  client.connect();

  let fileBytes = await stat(options.file).then((stats) => stats.size, () => 0);
  let owed = 0;
  let lastTick = now();
  let writing: Promise<void> = Promise.resolve();
  const writeTick = async (): Promise<void> => {
    const at = now();
    owed += (options.rate * (at - lastTick)) / 1000;
    lastTick = at;
    const count = Math.floor(owed);
    if (count === 0) return;
    owed -= count;
    const from = tracker.next;
    const time = new Date();
    let text = '';
    for (let seq = from; seq < from + count; seq += 1) text += `${canaryLine(runId, seq, time)}\n`;
    try {
      if (options.rotateBytes > 0 && fileBytes >= options.rotateBytes) {
        await rename(options.file, `${options.file}.1`);
        fileBytes = 0;
        logger.info({ file: options.file, rotatedTo: `${options.file}.1` }, 'canary rotated its file');
      }
      // Counted as written before the write returns: a fast pipeline may deliver them before it does.
      tracker.written(from, from + count, at);
      await appendFile(options.file, text);
      fileBytes += Buffer.byteLength(text);
    } catch (error) {
      metrics.writeErrors.inc();
      logger.error({ err: error, file: options.file }, 'canary cannot write its file; these lines will count as lost');
    }
  };
  const writer = setInterval(() => {
    writing = writing.then(writeTick);
  }, TICK_MS);

  const print = (report: CanaryReport, intervalMs: number) =>
    process.stdout.write(`${formatReport(report, { time: new Date(), intervalMs, connected, hubDropped }, options.json)}\n`);
  let intervalStart = now();
  const reporter = setInterval(() => {
    const report = tracker.report(now());
    metrics.addInterval(report);
    print(report, Math.round(now() - intervalStart));
    intervalStart = now();
  }, options.intervalMs);

  logger.info({ runId, file: options.file, rate: options.rate, hub: options.hub }, 'canary started');
  const duration = options.durationMs === undefined ? new Promise<never>(() => {}) : new Promise((resolve) => setTimeout(resolve, options.durationMs).unref());
  try {
    await Promise.race([stopSignal, duration, fatal]);
  } finally {
    clearInterval(writer);
    await writing;
  }
  const drainUntil = now() + Math.min(DRAIN_MS, options.lossAfterMs);
  while (tracker.pending > 0 && now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(reporter);
  const last = tracker.report(now());
  metrics.addInterval(last);
  print(last, Math.round(now() - intervalStart));
  client.close();
  await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
  const summary = tracker.summary();
  logger.info({ runId, ...summary }, 'canary stopped');
  return summary;
}
