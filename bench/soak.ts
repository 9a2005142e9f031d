/**
 * Soak: the whole pipeline for a long time at a high rate, with rotation and viewers coming and
 * going. Not part of `npm run bench` (it takes 10 minutes); run it on its own:
 *
 *   npm run build && node dist/bench/soak.js [--minutes 10] [--rate 50000] [--rotate-seconds 30] [--history on|off]
 *
 * A writer process appends `wt=<µs> seq=<n> <log line>` at --rate lines/s to a file that a real
 * `supergrep agent` follows, renaming it every --rotate-seconds (logrotate with a reopen signal: it
 * writes to the renamed file for 200 ms more). A real hub takes the lines in. One viewer subscribes
 * to every line and checks each sequence number (loss, duplicates, reordering) and its write-to-
 * receipt latency; other viewers join every few seconds with other filters and backlogs and leave
 * again. Every 10 s the hub's and the agent's memory, CPU and the load average are sampled; at the
 * end memory growth is reported as start vs end and as least-squares slopes (MB per minute) after
 * the first minute and over the second half (the one a leak cannot hide in: RSS moves by tens of MB
 * with each major GC). Results go to bench/results/soak-<time>.json like the other benchmarks.
 *
 * `--history on` (the default, as the hub's) keeps history in the hub's data directory; its bytes
 * on disk at the end are reported, before and after the hub stops (which seals every open block).
 * With SUPERGREP_SOAK_HEAP_PROBE=1 the hub and the agent run with the inspector open, and every
 * 10 s the soak forces a full GC in each and records process.memoryUsage() (bench/lib/heap-probe.ts):
 * a diagnostic of memory growth, whose own GCs change the RSS figures of that run.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { HubClient } from '../lib/hub-client.js';
import { PROTOCOL_VERSION, type MatchedLine } from '../protocol/index.js';
import { LatencyHistogram } from '../cli/latency-histogram.js';
import { monotonicMicros, stampOf } from './lib/monotonic.js';
import { HeapProbe, INSPECT_ARG, type HeapSample } from './lib/heap-probe.js';
import { historyBytes } from './lib/history-files.js';
import { processUsage } from './lib/proc-usage.js';
import { startHub, startChild, startWorker, waitUntil, CLI, type Child } from './lib/processes.js';
import { formatResult, ResultBuilder, saveResult } from './lib/results.js';
import { median } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';

interface SoakOptions {
  minutes: number;
  rate: number;
  rotateSeconds: number;
  /** Whether the hub keeps history (`history: false` is `--no-history`). */
  history: boolean;
}

function parseArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { minutes: 10, rate: 50_000, rotateSeconds: 30, history: true };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    if (key === '--history') {
      const choice = argv[i + 1];
      if (choice !== 'on' && choice !== 'off') throw new Error('--history needs on or off');
      options.history = choice === 'on';
      continue;
    }
    const value = Number(argv[i + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${key} needs a positive number`);
    if (key === '--minutes') options.minutes = value;
    else if (key === '--rate') options.rate = Math.round(value);
    else if (key === '--rotate-seconds') options.rotateSeconds = value;
    else throw new Error(`unknown option ${key}; use --minutes, --rate, --rotate-seconds, --history`);
  }
  return options;
}

const SEQ = / seq=(\d+) /;
/** Filters the visiting viewers pick from: the kinds of query people type, none matching everything. */
const VISITOR_FILTERS = ['ERROR|status=5[0-9][0-9]', 'status=50[234]', 'user_id=12[0-9]{4}\\b', 'WARN +\\[(checkout|payments)\\]', '"p99_ms":[5-9][0-9][0-9],', 'seq=[0-9]*77 '];
const SAMPLE_MS = 10_000;
/** After the writer stops, lines in flight get this long to arrive. */
const DRAIN_MS = 60_000;

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

/** The viewer that checks every line: a count per sequence number, the highest seen, latencies. */
class Checker {
  readonly seen: Uint8Array;
  received = 0;
  duplicates = 0;
  unexpected = 0;
  hubDropped = 0;
  reconnects = 0;
  highest = -1;
  /** Sequence numbers in the order of their first arrival, to judge order per file at the end. */
  readonly arrivals: Uint32Array;
  /** Each line's latency in tenths of a millisecond (capped at 6.5 s), to look at the lines around each rotation. */
  readonly latencyTenths: Uint16Array;
  readonly latency = new LatencyHistogram();
  minuteLatency = new LatencyHistogram();
  private readonly socket: WebSocket;
  connected = false;

  /**
   * A lean viewer on a bare socket (hello, subscribe, then `matches` and `dropped`), not
   * lib/hub-client.ts: validating 50,000 lines a second against the protocol schemas would make this
   * process the bottleneck, and the hub would rightly drop lines for a slow viewer.
   */
  constructor(hubUrl: string, maxLines: number) {
    this.seen = new Uint8Array(maxLines);
    this.arrivals = new Uint32Array(maxLines);
    this.latencyTenths = new Uint16Array(maxLines);
    this.socket = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}/ws/client`, { perMessageDeflate: false });
    this.socket.on('open', () => this.socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'soak-checker' })));
    this.socket.on('close', () => {
      this.connected = false;
      this.reconnects += 1;
    });
    this.socket.on('error', () => {
      // 'close' follows; the soak reports a lost connection through `reconnects`.
    });
    this.socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; lines?: MatchedLine[]; count?: number };
      if (message.type === 'welcome') {
        this.socket.send(JSON.stringify({ type: 'subscribe', sub: 'all', filter: { query: '^wt=\\d+ seq=\\d+ ' } }));
      } else if (message.type === 'subscribed') {
        this.connected = true;
      } else if (message.type === 'dropped') {
        this.hubDropped += message.count ?? 0;
      } else if (message.type === 'matches') {
        this.take(message.lines ?? []);
      }
    });
  }

  close(): void {
    this.socket.close();
  }

  private take(lines: readonly MatchedLine[]): void {
      const now = monotonicMicros();
      for (const line of lines) {
        const seq = Number(SEQ.exec(line.line)?.[1] ?? Number.NaN);
        if (!(seq >= 0 && seq < this.seen.length)) {
          this.unexpected += 1;
          continue;
        }
        if (this.seen[seq]! > 0) {
          this.duplicates += 1;
          this.seen[seq] = Math.min(255, this.seen[seq]! + 1);
          continue;
        }
        this.seen[seq] = 1;
        this.arrivals[this.received] = seq;
        this.received += 1;
        if (seq > this.highest) this.highest = seq;
        const ms = (now - stampOf(line.line)) / 1000;
        this.latencyTenths[seq] = Math.min(65_535, Math.max(0, Math.round(ms * 10)));
        this.latency.record(ms);
        this.minuteLatency.record(ms);
      }
  }

  /** Latencies of the lines received among sequence numbers [from, to), added to `histogram`. */
  latencyOf(from: number, to: number, histogram = new LatencyHistogram()): LatencyHistogram {
    for (let seq = Math.max(0, from); seq < Math.min(to, this.seen.length); seq += 1) if (this.seen[seq]! > 0) histogram.record(this.latencyTenths[seq]! / 10);
    return histogram;
  }

  /**
   * The sequence numbers never received, as [first, last] ranges (at most `limit`), so a loss can
   * be told apart: one long run is a slow-viewer drop, runs at `fileStarts` point at rotation.
   */
  missingRanges(written: number, limit = 50): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    for (let seq = 0; seq < written && ranges.length < limit; seq += 1) {
      if (this.seen[seq]! > 0) continue;
      const first = seq;
      while (seq + 1 < written && this.seen[seq + 1] === 0) seq += 1;
      ranges.push([first, seq]);
    }
    return ranges;
  }

  /**
   * Order per file (what supergrep promises) and across a rotation: `fileStarts` are the first
   * sequence numbers of each new file. A line arriving after a later line of its own file is out of
   * order; one arriving after a line of a newer file is only interleaved.
   */
  order(fileStarts: readonly number[]): { withinFile: number; afterNewerFile: number } {
    const starts = [0, ...fileStarts];
    const fileOf = (seq: number): number => {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >>> 1;
        if (starts[mid]! <= seq) low = mid;
        else high = mid - 1;
      }
      return low;
    };
    const highestInFile = new Map<number, number>();
    let newestFile = 0;
    let withinFile = 0;
    let afterNewerFile = 0;
    for (let index = 0; index < this.received; index += 1) {
      const seq = this.arrivals[index]!;
      const file = fileOf(seq);
      if (seq < (highestInFile.get(file) ?? -1)) withinFile += 1;
      else highestInFile.set(file, seq);
      if (file < newestFile) afterNewerFile += 1;
      else newestFile = file;
    }
    return { withinFile, afterNewerFile };
  }
}

/** Viewers that come and go: every few seconds one joins with a filter and a backlog, and leaves 5-20 s later. */
class Visitors {
  joined = 0;
  left = 0;
  lines = 0;
  errors = 0;
  private readonly open = new Set<HubClient>();
  private timer: NodeJS.Timeout | undefined;
  private seed = 1;

  constructor(private readonly hubUrl: string) {}

  private random(): number {
    this.seed = (this.seed * 16807) % 2147483647;
    return this.seed / 2147483647;
  }

  start(): void {
    this.timer = setInterval(() => this.visit(), 3_000);
  }

  private visit(): void {
    if (this.open.size >= 6) return;
    const client = new HubClient({ hub: this.hubUrl, clientName: 'soak-visitor', reconnect: false });
    const query = VISITOR_FILTERS[Math.floor(this.random() * VISITOR_FILTERS.length)]!;
    client.on('matches', (_sub, lines) => (this.lines += lines.length));
    client.on('hubError', () => (this.errors += 1));
    client.subscribe({ sub: 'v', filter: { query, caseInsensitive: this.random() < 0.3 }, backlog: Math.floor(this.random() * 2_000) });
    client.connect();
    this.open.add(client);
    this.joined += 1;
    setTimeout(() => {
      client.close();
      this.open.delete(client);
      this.left += 1;
    }, 5_000 + this.random() * 15_000);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const client of this.open) client.close();
    this.left += this.open.size;
    this.open.clear();
  }
}

interface Sample {
  minute: number;
  hubRssMb: number;
  agentRssMb: number;
  hubCpuSec: number;
  agentCpuSec: number;
  load1: number;
  received: number;
  written: number;
  p99Ms: number;
}

/** Memory after a forced full GC (SUPERGREP_SOAK_HEAP_PROBE=1). */
interface HeapPoint {
  minute: number;
  hub: HeapSample | undefined;
  agent: HeapSample | undefined;
}

export async function runSoak(options: SoakOptions): Promise<void> {
  const { dir, remove } = makeTempDir('soak');
  const durationMs = options.minutes * 60_000;
  const result = new ResultBuilder('soak');
  const children: Child[] = [];
  let checker: Checker | undefined;
  let visitors: Visitors | undefined;
  const probes: HeapProbe[] = [];
  const heapProbe = process.env.SUPERGREP_SOAK_HEAP_PROBE === '1';
  try {
    const hubDir = join(dir, 'hub');
    const hub = await startHub(hubDir, { config: { history: options.history }, env: heapProbe ? { NODE_OPTIONS: INSPECT_ARG } : {} });
    children.push(hub.child);
    const file = join(dir, 'app.log');
    // Through the launcher, as users start it: it gives the agent its own Node flags (semi-spaces).
    const agentEnv = heapProbe ? { ...process.env, NODE_OPTIONS: INSPECT_ARG } : process.env;
    const agent = startChild('agent', CLI, ['agent', '--hub', hub.wsUrl, '--state', join(dir, 'agent-state.json'), '--name', 'soak-host', file], { keepLines: false, env: agentEnv });
    children.push(agent);
    const checking = new Checker(hub.url, Math.ceil(((options.rate * durationMs) / 1000) * 1.01) + 10_000);
    checker = checking;
    await waitUntil('the checker to subscribe', () => checking.connected);
    const hubProbe = heapProbe ? await HeapProbe.attach(hub.child) : undefined;
    const agentProbe = heapProbe ? await HeapProbe.attach(agent) : undefined;
    for (const probe of [hubProbe, agentProbe]) if (probe) probes.push(probe);
    const heapPoints: HeapPoint[] = [];
    let written = 0;
    let writtenBytes = 0;
    let rotations = 0;
    const writer = startWorker('writer', 'soak-writer.js', { file, linesPerSec: options.rate, durationMs, rotateMs: options.rotateSeconds * 1000, reopenDelayMs: 200 });
    children.push(writer);
    const fileStarts: number[] = [];
    writer.onStdoutLine((line) => {
      const progress = JSON.parse(line) as { written: number; bytes?: number; rotations: number; reopenedAt?: number };
      written = progress.written;
      writtenBytes = progress.bytes ?? writtenBytes;
      rotations = progress.rotations;
      if (progress.reopenedAt !== undefined) fileStarts.push(progress.reopenedAt);
    });
    // The agent follows the file once the writer has created it (it starts at its end, which is 0).
    await new Promise((resolve) => setTimeout(resolve, 300));
    visitors = new Visitors(hub.url);
    visitors.start();

    const started = performance.now();
    const ownCpu = process.cpuUsage();
    const samples: Sample[] = [];
    const sample = (): void => {
      const hubUsage = processUsage(hub.child.pid);
      const agentUsage = processUsage(agent.pid);
      const minute = (performance.now() - started) / 60_000;
      const p99Ms = checking.minuteLatency.quantile(0.99);
      checking.minuteLatency = new LatencyHistogram();
      samples.push({
        minute,
        hubRssMb: hubUsage?.rssMb ?? Number.NaN,
        agentRssMb: agentUsage?.rssMb ?? Number.NaN,
        hubCpuSec: hubUsage?.cpuSeconds ?? Number.NaN,
        agentCpuSec: agentUsage?.cpuSeconds ?? Number.NaN,
        load1: loadavg()[0]!,
        received: checking.received,
        written,
        p99Ms,
      });
      const last = samples.at(-1)!;
      console.log(
        `  ${minute.toFixed(2)} min: written ${written} (as of the writer's last report, once a second), received ${checking.received}, p99 ${p99Ms.toFixed(1)} ms, ` +
          `hub ${last.hubRssMb.toFixed(0)} MB, agent ${last.agentRssMb.toFixed(0)} MB, load ${loadavg().map((v) => v.toFixed(2)).join(' ')}, ` +
          `visitors ${visitors!.joined} joined, dropped ${checking.hubDropped}`,
      );
      if (hubProbe && agentProbe) {
        void Promise.all([hubProbe.sample().catch(() => undefined), agentProbe.sample().catch(() => undefined)]).then(([hubHeap, agentHeap]) => {
          heapPoints.push({ minute, hub: hubHeap, agent: agentHeap });
          console.log(`    after a forced GC: hub heap ${hubHeap?.heapUsedMb.toFixed(1)} MB, external ${hubHeap?.externalMb.toFixed(1)} MB, rss ${hubHeap?.rssMb.toFixed(0)} MB; agent heap ${agentHeap?.heapUsedMb.toFixed(1)} MB, external ${agentHeap?.externalMb.toFixed(1)} MB, rss ${agentHeap?.rssMb.toFixed(0)} MB`);
        });
      }
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    await writer.exited;
    clearInterval(sampler);
    sample();
    visitors.stop();
    const drainStart = performance.now();
    await waitUntil('the last lines', () => checking.received >= written || !hub.child.running || !agent.running, DRAIN_MS, 100).catch(() => undefined);
    const drainSec = (performance.now() - drainStart) / 1000;
    const loadEnd = loadavg();
    // Before the hub is stopped to seal its history.
    const alive = { hub: hub.child.running, agent: agent.running };

    const lost = written - checking.received;
    const missing = lost > 0 ? checking.missingRanges(written) : [];
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const steady = samples.filter((s) => s.minute >= 1);
    const hubSlope = slope(steady.map((s) => [s.minute, s.hubRssMb]));
    const agentSlope = slope(steady.map((s) => [s.minute, s.agentRssMb]));
    // RSS moves by tens of MB with each major GC; a leak shows as a slope that lasts into the second half.
    const secondHalf = samples.filter((s) => s.minute >= last.minute / 2);
    const hubLateSlope = slope(secondHalf.map((s) => [s.minute, s.hubRssMb]));
    const agentLateSlope = slope(secondHalf.map((s) => [s.minute, s.agentRssMb]));
    const elapsedMin = last.minute;
    result.lowerIsBetter('lines lost', lost, 'lines', undefined, `of ${written} written; ${checking.hubDropped} dropped by the hub for a slow viewer`);
    result.lowerIsBetter('duplicate lines', checking.duplicates, 'lines');
    const order = checking.order(fileStarts);
    result.lowerIsBetter('lines out of order within a file', order.withinFile, 'lines');
    result.lowerIsBetter('lines after a newer file\u2019s lines', order.afterNewerFile, 'lines', undefined, 'a rotated file\u2019s last lines arriving after the new file\u2019s first: allowed, files interleave');
    result.lowerIsBetter('latency p50', checking.latency.quantile(0.5), 'ms');
    result.lowerIsBetter('latency p99', checking.latency.quantile(0.99), 'ms');
    result.lowerIsBetter('latency max', checking.latency.max, 'ms');
    result.lowerIsBetter('worst 10 s p99', Math.max(...samples.map((s) => s.p99Ms).filter(Number.isFinite)), 'ms');
    // Issue 21's figure for rotation: windows that start after the first minute (start-up, V8
    // compiling the hot paths, is not a rotation's doing).
    const steadyP99 = samples.filter((s) => s.minute - SAMPLE_MS / 60_000 >= 0.99).map((s) => s.p99Ms).filter(Number.isFinite);
    result.lowerIsBetter('worst 10 s p99 after minute 1', steadyP99.length > 0 ? Math.max(...steadyP99) : Number.NaN, 'ms', undefined, `median 10 s p99 after minute 1: ${median(steadyP99).toFixed(1)} ms`);
    // The lines each rotation could delay: the old file's last second and the new file's first.
    const newFilesFirst = new LatencyHistogram();
    const aroundRotations = new LatencyHistogram();
    const perRotation = fileStarts.map((start) => {
      const before = checking.latencyOf(start - options.rate, start);
      const after = checking.latencyOf(start, start + options.rate);
      checking.latencyOf(start, start + options.rate, newFilesFirst);
      checking.latencyOf(start - options.rate, start + options.rate, aroundRotations);
      return { firstSeq: start, oldLastP99Ms: before.quantile(0.99), newFirstP99Ms: after.quantile(0.99), newFirstMaxMs: after.max };
    });
    result.lowerIsBetter('new file\u2019s first second, p99', newFilesFirst.quantile(0.99), 'ms', undefined, `max ${newFilesFirst.max.toFixed(1)} ms over ${fileStarts.length} rotations; a second either side of each: p99 ${aroundRotations.quantile(0.99).toFixed(1)} ms`);
    result.details.rotations = perRotation;
    result.lowerIsBetter('hub RSS at start', first.hubRssMb, 'MB', undefined, `after ${(first.minute * 60).toFixed(0)} s`);
    result.lowerIsBetter('hub RSS at end', last.hubRssMb, 'MB');
    result.lowerIsBetter('hub RSS slope after minute 1', hubSlope, 'MB/min');
    result.lowerIsBetter('hub RSS slope, second half', hubLateSlope, 'MB/min');
    result.lowerIsBetter('agent RSS at start', first.agentRssMb, 'MB', undefined, `after ${(first.minute * 60).toFixed(0)} s`);
    result.lowerIsBetter('agent RSS at end', last.agentRssMb, 'MB');
    result.lowerIsBetter('agent RSS slope after minute 1', agentSlope, 'MB/min');
    result.lowerIsBetter('agent RSS slope, second half', agentLateSlope, 'MB/min');
    result.lowerIsBetter('hub CPU', (100 * (last.hubCpuSec - first.hubCpuSec)) / ((last.minute - first.minute) * 60), '% of a core');
    result.lowerIsBetter('agent CPU', (100 * (last.agentCpuSec - first.agentCpuSec)) / ((last.minute - first.minute) * 60), '% of a core');
    result.higherIsBetter('lines written', written, 'lines', undefined, `${options.rate} lines/s for ${options.minutes} min, ${rotations} rotations`);
    result.lowerIsBetter('highest 1-min load average', Math.max(...samples.map((s) => s.load1)), '', undefined, `${loadEnd.map((v) => v.toFixed(2)).join(' ')} (1/5/15 min) at the end`);
    if (options.history) {
      const live = historyBytes(hubDir);
      await hub.child.stop();
      const sealed = historyBytes(hubDir);
      const parts = (bytes: typeof live) => `segments ${bytes.segments}, WAL ${bytes.wal}, SQLite ${bytes.index}`;
      result.lowerIsBetter('history on disk at the end', live.total / 1e6, 'MB', undefined, `${parts(live)} bytes; after the hub stopped (every block sealed): ${parts(sealed)}`);
      result.lowerIsBetter('history on disk / bytes written', sealed.total / writtenBytes, 'x', undefined, `after the hub stopped; ${writtenBytes} bytes written`);
      result.details.history = { live, sealed, writtenBytes };
    }
    if (heapPoints.length > 1) {
      // Slopes after a forced GC, second half: a JS heap that keeps growing is a leak; RSS alone is not.
      const late = heapPoints.filter((point) => point.minute >= heapPoints.at(-1)!.minute / 2);
      const slopeOf = (pick: (point: HeapPoint) => number | undefined) => slope(late.map((point) => [point.minute, pick(point) ?? Number.NaN] as [number, number]).filter(([, y]) => Number.isFinite(y)));
      result.lowerIsBetter('hub heap used after a forced GC, slope in the second half', slopeOf((p) => p.hub?.heapUsedMb), 'MB/min', undefined, 'SUPERGREP_SOAK_HEAP_PROBE=1: a diagnostic');
      result.lowerIsBetter('hub external memory after a forced GC, slope in the second half', slopeOf((p) => p.hub?.externalMb), 'MB/min');
      result.lowerIsBetter('hub RSS after a forced GC, slope in the second half', slopeOf((p) => p.hub?.rssMb), 'MB/min');
      result.lowerIsBetter('agent heap used after a forced GC, slope in the second half', slopeOf((p) => p.agent?.heapUsedMb), 'MB/min');
      result.lowerIsBetter('agent external memory after a forced GC, slope in the second half', slopeOf((p) => p.agent?.externalMb), 'MB/min');
      result.lowerIsBetter('agent RSS after a forced GC, slope in the second half', slopeOf((p) => p.agent?.rssMb), 'MB/min');
      result.details.heapPoints = heapPoints;
    }
    result.target('no line lost', lost, 0, true);
    result.target('no duplicate (no kill in this run)', checking.duplicates, 0, true);
    result.target('every file in order', order.withinFile, 0, true);
    result.target('hub memory growth in the second half at most 1 MB/min', hubLateSlope, 1, true);
    result.target('agent memory growth in the second half at most 1 MB/min', agentLateSlope, 1, true);
    const own = process.cpuUsage(ownCpu);
    result.details.benchProcessCpuPercent = (100 * (own.user + own.system)) / 1e6 / ((performance.now() - started) / 1000);
    result.details.options = options;
    result.details.drainSec = drainSec;
    result.details.minutes = elapsedMin;
    result.details.visitors = { joined: visitors.joined, left: visitors.left, lines: visitors.lines, errors: visitors.errors };
    result.details.checker = { received: checking.received, unexpected: checking.unexpected, reconnects: checking.reconnects, hubDropped: checking.hubDropped };
    result.details.samples = samples;
    // Where the missing lines were, next to where each file started (rotation) for comparison.
    result.details.missingRanges = missing;
    result.details.fileStarts = fileStarts;
    if (missing.length > 0) console.log(`  missing sequence ranges (first ${missing.length}): ${missing.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')}`);
    result.details.processesAlive = alive;
    const finished = result.finish();
    const saved = saveResult(finished);
    console.log(formatResult(finished));
    console.log(`   saved ${saved}`);
  } finally {
    for (const probe of probes) probe.close();
    visitors?.stop();
    checker?.close();
    await Promise.all(children.map((child) => child.stop()));
    remove();
  }
}

await runSoak(parseArgs(process.argv.slice(2)));
process.exit(0);
