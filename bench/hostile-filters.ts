/**
 * Benchmark: the hub under a hostile viewer. One agent (workers/paced-agent.ts) sends 2,000
 * realistic lines/s for 30 s to a real hub; an ordinary viewer subscribes `ERROR|WARN`; /healthz is
 * probed every 50 ms. Two phases in one run, each on a fresh hub of the same build with the same load:
 * the baseline with no one else, then with hostile viewers, each connection subscribing 20 patterns of
 * the `(?s).{N}Q` family (distinct N, a few over the hub's cost limit). There are enough of them to
 * reach the hub's cap on costly filters as well as each viewer's. Figures of the hostile phase are
 * compared with the baseline's: /healthz latency, the agent's acknowledgement lag and acked lines,
 * the ordinary viewer's delivery latency and lost matches, hub CPU.
 */
import { join } from 'node:path';
import { HubClient } from '../lib/hub-client.js';
import { monotonicMicros, stampOf } from './lib/monotonic.js';
import { describeTop, OutsideCpuMeter } from './lib/outside-cpu.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startHub, startWorker, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { percentiles, round } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const LINES_PER_SEC = 2_000;
/** The agent sends a batch every 50 ms: 100 lines of about 150 bytes. */
const BATCH_MS = 50;
const DURATION_MS = 30_000;
/** After the agent's last batch: acknowledgements and the viewer's last matches get this long. */
const DRAIN_MS = 10_000;
/** As the real agent's default window of unacknowledged batch bodies. */
const MAX_INFLIGHT_BYTES = 8 * 1024 * 1024;
const VIEWER_PATTERN = 'ERROR|WARN';
const PROBE_INTERVAL_MS = 50;
/** A probe unanswered this long is counted as timed out, at this latency. */
const PROBE_TIMEOUT_MS = 2_000;
/** Connections of hostile viewers: 4 costly filters each fill the hub's 16, the fifth finds it full. */
const HOSTILE_CONNECTIONS = 5;
const PATTERNS_PER_CONNECTION = 20;

/** Of each connection's patterns, this many repeat twice in one pattern: over the hub's cost limit. */
const OVER_COST_LIMIT = 4;

/**
 * `(?s).{N}Q` for N from 1000 down by 20, minus the connection's number so that every pattern in the
 * hub is distinct (no two viewers share a filter; RE2 allows no count over 1000), then a few
 * `(?s).{1000}.{N}Q`. All are costly: each viewer gets its first 4, the hub 16 in all; the last ones
 * are over the cost limit on their own.
 */
function hostilePatterns(connection: number): string[] {
  return Array.from({ length: PATTERNS_PER_CONNECTION }, (_, i) => {
    const count = 1000 - 20 * i - connection;
    return i < PATTERNS_PER_CONNECTION - OVER_COST_LIMIT ? `(?s).{${count}}Q` : `(?s).{1000}.{${count}}Q`;
  });
}

interface AgentReport {
  sentBatches: number;
  sentLines: number;
  ackedBatches: number;
  ackedLines: number;
  matching: number;
  errors: number;
  ackLagP50Ms: number;
  ackLagP99Ms: number;
  ackLagMaxMs: number;
}

/** Probes GET /healthz one after the other, one every PROBE_INTERVAL_MS at most, each with a timeout. */
class HealthProbe {
  private readonly latencies: number[] = [];
  timeouts = 0;
  failures = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly url: string) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        await response.arrayBuffer();
        if (!response.ok) this.failures += 1;
        this.latencies.push(performance.now() - started);
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') {
          this.timeouts += 1;
          this.latencies.push(PROBE_TIMEOUT_MS);
        } else this.failures += 1;
      }
      const wait = PROBE_INTERVAL_MS - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async stop(): Promise<{ probes: number; timeouts: number; failures: number; p50Ms: number; p99Ms: number; maxMs: number }> {
    this.running = false;
    await this.loop;
    const [p50Ms, p99Ms, maxMs] = percentiles(Float64Array.from(this.latencies), [50, 99, 100]);
    return { probes: this.latencies.length, timeouts: this.timeouts, failures: this.failures, p50Ms: p50Ms!, p99Ms: p99Ms!, maxMs: maxMs! };
  }
}

/** One hostile viewer connection: its subscriptions' answers (subscribed, or refused) and later suspensions. */
class HostileViewer {
  readonly client: HubClient;
  accepted = 0;
  refused = 0;
  suspended = 0;
  private readonly subscribed = new Set<string>();
  private readonly errors: string[] = [];

  constructor(hubUrl: string, readonly patterns: string[]) {
    this.client = new HubClient({ hub: hubUrl, clientName: 'supergrep-bench-hostile', reconnect: false });
    this.client.on('subscribed', (sub) => {
      this.subscribed.add(sub);
      this.accepted += 1;
    });
    this.client.on('hubError', (error) => {
      if (error.code !== 'SG_ERR_TOO_EXPENSIVE' || error.sub === undefined) this.errors.push(`${error.code}: ${error.message}`);
      else if (this.subscribed.has(error.sub)) this.suspended += 1;
      else this.refused += 1;
    });
    this.client.on('fatal', (error) => this.errors.push(error.message));
    patterns.forEach((query, i) => this.client.subscribe({ sub: `h${i}`, filter: { query } }));
    this.client.connect();
  }

  /** Resolves once every subscription has its answer. */
  async answered(): Promise<this> {
    await waitUntil('the hostile subscriptions', () => this.accepted + this.refused === this.patterns.length || this.errors.length > 0);
    if (this.errors.length > 0) throw new Error(`hostile viewer: ${this.errors.join('; ')}`);
    return this;
  }
}

interface FilterMetrics {
  /** Filters refused or stopped with SG_ERR_TOO_EXPENSIVE, by reason. */
  tooExpensive: Record<string, number>;
  /** Live costly filters. */
  costlyFilters: number;
  /** Seconds the hub spent evaluating filters, by kind (group, alone, costly). */
  evalSeconds: Record<string, number>;
}

/** The filter engine's side of the hub's /metrics. */
async function filterMetrics(hubUrl: string): Promise<FilterMetrics> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  const out: FilterMetrics = { tooExpensive: {}, costlyFilters: Number(/^supergrep_costly_filters (\S+)$/m.exec(text)?.[1] ?? 0), evalSeconds: {} };
  for (const match of text.matchAll(/^supergrep_too_expensive_filters_total\{reason="([^"]+)"\} (\S+)$/gm)) out.tooExpensive[match[1]!] = Number(match[2]);
  for (const match of text.matchAll(/^supergrep_filter_eval_seconds_sum\{kind="([^"]+)"\} (\S+)$/gm)) out.evalSeconds[match[1]!] = Number(match[2]);
  return out;
}

interface PhaseRun {
  healthz: Awaited<ReturnType<HealthProbe['stop']>>;
  agent: AgentReport;
  delivered: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  deliveryMaxMs: number;
  hubCpuPercent: number;
  hubMaxRssMb: number;
  outsideCpuPercent: number;
  outsideCpuTop: string;
  /** Share of a core the hub spent evaluating costly filters over the phase. */
  costlyEvalPercent: number;
  filters: FilterMetrics;
  hostile?: { connections: number; subscriptions: number; accepted: number; refused: number; suspended: number };
}

async function measurePhase(dir: string, hostile: boolean): Promise<PhaseRun> {
  const children: Child[] = [];
  const clients: Array<{ close(): void }> = [];
  try {
    const name = hostile ? 'hostile' : 'baseline';
    const hub = await startHub(join(dir, `hub-${name}`));
    children.push(hub.child);
    const latencies: number[] = [];
    const viewer = await new BenchViewer(hub.url, { query: VIEWER_PATTERN }, (lines) => {
      const now = monotonicMicros();
      for (const line of lines) {
        const stamp = stampOf(line.line);
        if (!Number.isNaN(stamp)) latencies.push((now - stamp) / 1000);
      }
    }).ready();
    clients.push(viewer);
    const hostileViewers: HostileViewer[] = [];
    if (hostile) {
      // One after the other, so which connection meets the hub's cap does not depend on timing.
      for (let connection = 0; connection < HOSTILE_CONNECTIONS; connection += 1) {
        const hostileViewer = new HostileViewer(hub.url, hostilePatterns(connection));
        clients.push(hostileViewer.client);
        hostileViewers.push(await hostileViewer.answered());
      }
    }

    const agent = startWorker('paced-agent', 'paced-agent.js', {
      hub: hub.wsUrl,
      linesPerSec: LINES_PER_SEC,
      batchMs: BATCH_MS,
      durationMs: DURATION_MS,
      drainMs: DRAIN_MS,
      maxInflightBytes: MAX_INFLIGHT_BYTES,
      probe: VIEWER_PATTERN,
      seed: 7,
    });
    children.push(agent);
    let ready = false;
    let report: AgentReport | undefined;
    agent.onStdoutLine((line) => {
      if (line === 'ready') ready = true;
      else if (line.startsWith('{"done"')) report = JSON.parse(line) as AgentReport;
    });
    await waitUntil('the paced agent', () => ready || !agent.running);
    const hubUsage = new UsageSampler(hub.child.pid).start();
    const outsideCpu = new OutsideCpuMeter().start();
    const probe = new HealthProbe(`${hub.url}/healthz`).start();
    await waitUntil('the paced agent to finish', () => report ?? !agent.running, DURATION_MS + DRAIN_MS + 10_000, 50);
    const healthz = await probe.stop();
    const hubStats = hubUsage.stop();
    if (!report) throw new Error(`the paced agent failed: ${agent.stderrLines.join('\n')}`);
    const agentReport = report;
    await waitUntil('the last matches', () => viewer.received >= agentReport.matching, DRAIN_MS).catch(() => undefined);
    const outside = outsideCpu.stop();
    const filters = await filterMetrics(hub.url);
    const [deliveryP50Ms, deliveryP99Ms, deliveryMaxMs] = percentiles(Float64Array.from(latencies), [50, 99, 100]);
    const run: PhaseRun = {
      healthz,
      agent: agentReport,
      delivered: viewer.received,
      deliveryP50Ms: deliveryP50Ms!,
      deliveryP99Ms: deliveryP99Ms!,
      deliveryMaxMs: deliveryMaxMs!,
      hubCpuPercent: hubStats.cpuPercent,
      hubMaxRssMb: hubStats.maxRssMb,
      outsideCpuPercent: outside.cpuPercent,
      outsideCpuTop: describeTop(outside),
      costlyEvalPercent: (100 * (filters.evalSeconds.costly ?? 0)) / hubStats.seconds,
      filters,
    };
    if (hostile) {
      run.hostile = {
        connections: hostileViewers.length,
        subscriptions: hostileViewers.reduce((sum, v) => sum + v.patterns.length, 0),
        accepted: hostileViewers.reduce((sum, v) => sum + v.accepted, 0),
        refused: hostileViewers.reduce((sum, v) => sum + v.refused, 0),
        suspended: hostileViewers.reduce((sum, v) => sum + v.suspended, 0),
      };
    }
    return run;
  } finally {
    for (const client of clients) client.close();
    for (const child of children.reverse()) await child.stop();
  }
}

export async function runHostileFilters(): Promise<BenchResult> {
  const result = new ResultBuilder('hostile-filters');
  const temp = makeTempDir('hostile');
  try {
    const baseline = await measurePhase(temp.dir, false);
    const hostile = await measurePhase(temp.dir, true);
    const base = (value: number) => ({ name: 'no hostile viewer', value });
    const unacked = (run: PhaseRun) => run.agent.sentLines - run.agent.ackedLines;
    const lost = (run: PhaseRun) => run.agent.matching - run.delivered;

    result.lowerIsBetter('/healthz p50', hostile.healthz.p50Ms, 'ms', base(baseline.healthz.p50Ms));
    result.lowerIsBetter('/healthz p99', hostile.healthz.p99Ms, 'ms', base(baseline.healthz.p99Ms));
    result.lowerIsBetter('/healthz max', hostile.healthz.maxMs, 'ms', base(baseline.healthz.maxMs),
      `${hostile.healthz.probes} probes (${hostile.healthz.timeouts} over ${PROBE_TIMEOUT_MS} ms, ${hostile.healthz.failures} failed); baseline ${baseline.healthz.probes} probes`);
    result.lowerIsBetter('agent: due -> acked, p50', hostile.agent.ackLagP50Ms, 'ms', base(baseline.agent.ackLagP50Ms));
    result.lowerIsBetter('agent: due -> acked, p99', hostile.agent.ackLagP99Ms, 'ms', base(baseline.agent.ackLagP99Ms));
    result.lowerIsBetter('agent: due -> acked, max', hostile.agent.ackLagMaxMs, 'ms', base(baseline.agent.ackLagMaxMs));
    result.lowerIsBetter('agent: lines not acked', unacked(hostile), 'lines', base(unacked(baseline)),
      `${hostile.agent.ackedBatches} of ${hostile.agent.sentBatches} batches acked (baseline ${baseline.agent.ackedBatches} of ${baseline.agent.sentBatches})`);
    result.lowerIsBetter(`viewer ${VIEWER_PATTERN}: delivery p50`, hostile.deliveryP50Ms, 'ms', base(baseline.deliveryP50Ms));
    result.lowerIsBetter(`viewer ${VIEWER_PATTERN}: delivery p99`, hostile.deliveryP99Ms, 'ms', base(baseline.deliveryP99Ms));
    result.lowerIsBetter(`viewer ${VIEWER_PATTERN}: delivery max`, hostile.deliveryMaxMs, 'ms', base(baseline.deliveryMaxMs));
    result.lowerIsBetter(`viewer ${VIEWER_PATTERN}: matches lost`, lost(hostile), 'lines', base(lost(baseline)),
      `${hostile.delivered} of ${hostile.agent.matching} delivered (baseline ${baseline.delivered} of ${baseline.agent.matching})`);
    result.lowerIsBetter('hub CPU', hostile.hubCpuPercent, '% of a core', base(baseline.hubCpuPercent));
    result.lowerIsBetter('hub peak RSS', hostile.hubMaxRssMb, 'MB', base(baseline.hubMaxRssMb));
    const h = hostile.hostile!;
    const reasons = Object.entries(hostile.filters.tooExpensive).map(([reason, count]) => `${reason} ${count}`).join(', ');
    result.lowerIsBetter('hostile subscriptions accepted', h.accepted, 'subs', undefined,
      `of ${h.subscriptions} on ${h.connections} connections, all costly; ${h.refused} refused and ${h.suspended} stopped later with SG_ERR_TOO_EXPENSIVE (hub's count by reason: ${reasons || 'none'}); ${hostile.filters.costlyFilters} costly filters live at the end`);
    result.higherIsBetter('hostile subscriptions refused', h.refused, 'subs');
    result.lowerIsBetter('hub time in costly filters', hostile.costlyEvalPercent, '% of a core', undefined,
      'from the hub\'s supergrep_filter_eval_seconds{kind="costly"} over the phase');
    result.lowerIsBetter('CPU of other processes during the run', hostile.outsideCpuPercent, '% of a core', base(baseline.outsideCpuPercent),
      `not a figure of supergrep: kernel threads and other users (${hostile.outsideCpuTop}); high when the machine was noisy`);
    result.target('/healthz p99 with hostile viewers (ms)', hostile.healthz.p99Ms, 100, true);
    result.target('lines not acked with hostile viewers', unacked(hostile), 0, true);
    result.target(`matches of ${VIEWER_PATTERN} lost with hostile viewers`, lost(hostile), 0, true);
    result.details.setup = {
      linesPerSec: LINES_PER_SEC,
      batchMs: BATCH_MS,
      durationMs: DURATION_MS,
      viewerPattern: VIEWER_PATTERN,
      probeIntervalMs: PROBE_INTERVAL_MS,
      probeTimeoutMs: PROBE_TIMEOUT_MS,
      hostilePatterns: Array.from({ length: HOSTILE_CONNECTIONS }, (_, c) => hostilePatterns(c)),
    };
    result.details.baseline = roundAll(baseline);
    result.details.hostile = roundAll(hostile);
    return result.finish();
  } finally {
    temp.remove();
  }
}

function roundAll(run: PhaseRun): unknown {
  return JSON.parse(JSON.stringify(run, (_key, value: unknown) => (typeof value === 'number' ? round(value, 4) : value)));
}
