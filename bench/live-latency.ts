/**
 * Benchmark 3: live latency. A writer process appends lines that carry their write time (monotonic
 * clock, shared by every process) at 50,000 and at 200,000 lines/s for 10 s to a file an agent
 * follows; a viewer subscribed to the errors query (about 1% of the lines) records when each match
 * arrives. Against `tail -F FILE | grep --line-buffered` on the same writer.
 *
 * Each run starts with a one-second burst at the same rate and a quiet spell: a hub and an agent
 * that just started run their hot paths cold (V8 compiles them while the first lines wait), which a
 * deployment does once, not on every burst. The burst's own figures are reported as "first second
 * after start"; the 10 s measured after the quiet spell carry the targets. The quiet spell is longer
 * than the agent needs to forget the file's pace, so the measured burst still finds the file quiet.
 *
 * At 50,000 lines/s the same run is repeated with the hub started without the GC floor its launcher
 * gives it (`node bin/supergrep hub`), reported beside the hub as users start it, which carries the
 * targets.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from './lib/baseline.js';
import { ERRORS_PATTERN } from './lib/dataset.js';
import { monotonicMicros, stampOf } from './lib/monotonic.js';
import { describeTop, OutsideCpuMeter } from './lib/outside-cpu.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startAgent, startChild, startHub, startWorker, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { percentiles, round } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const RATES = [50_000, 200_000];
const DURATION_MS = 10_000;
/** The writer wakes up every millisecond and appends what is due: 50 or 200 lines per write. */
const TICK_MS = 1;
/** After the writer stops, matches still in flight get this long to arrive. */
const DRAIN_MS = 5_000;
/** The burst right after start, reported on its own (see the top of the file). */
const WARMUP_MS = 1_000;
/** Between the burst and the measured 10 s; the read pacer forgets a pace after 100 ms without news. */
const QUIET_MS = 500;

interface LatencyRun {
  written: number;
  expected: number;
  received: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The burst right after start. */
  firstSecondP99Ms: number;
  firstSecondMaxMs: number;
}

/** A growable list of numbers. */
class Samples {
  private values = new Float64Array(1 << 16);
  count = 0;

  push(value: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = value;
  }

  at(ps: readonly number[]): number[] {
    return percentiles(this.values.subarray(0, this.count), ps);
  }
}

/** Latencies in ms of the stamped lines `collect` sees, while the writer runs. */
class LatencyLog {
  private readonly latencies = new Samples();
  /** Written -> read by the agent, from the batch's `ts` (whole milliseconds of the wall clock). */
  private readonly toRead = new Samples();
  /** The wall clock minus the monotonic one, in µs, to place a batch's `ts` on the writer's clock. */
  private readonly wallOffsetMicros = Date.now() * 1000 - monotonicMicros();

  /** `readAtMs`: the batch's `ts` (when the agent read the line), for the split by hop. */
  add(stamp: number, nowMicros: number, readAtMs?: number): void {
    this.latencies.push((nowMicros - stamp) / 1000);
    if (readAtMs !== undefined) this.toRead.push((readAtMs * 1000 - this.wallOffsetMicros - stamp) / 1000);
  }

  summary(): { p50Ms: number; p99Ms: number; maxMs: number } {
    const [p50Ms, p99Ms, maxMs] = this.latencies.at([50, 99, 100]);
    return { p50Ms: p50Ms!, p99Ms: p99Ms!, maxMs: maxMs! };
  }

  /**
   * The first hop's share (written -> read by the agent) at the median and the 99th percentile. Its
   * resolution is the millisecond of `ts`; what is left of the latency is the agent's send, the hub
   * and the viewer.
   */
  readHop(): { readP50Ms: number; readP99Ms: number } | undefined {
    if (this.toRead.count === 0) return undefined;
    const [readP50Ms, readP99Ms] = this.toRead.at([50, 99]);
    return { readP50Ms: readP50Ms!, readP99Ms: readP99Ms! };
  }
}

/** The burst after start and the measured run, told apart by each line's write time. */
class PhasedLatency {
  readonly firstSecond = new LatencyLog();
  readonly measured = new LatencyLog();
  /** Lines written from then on (monotonic µs) belong to the measured run. */
  private measuredFrom = Number.POSITIVE_INFINITY;

  add(line: string, nowMicros: number, readAtMs?: number): void {
    const stamp = stampOf(line);
    if (Number.isNaN(stamp)) return;
    (stamp >= this.measuredFrom ? this.measured : this.firstSecond).add(stamp, nowMicros, readAtMs);
  }

  /**
   * Writes the burst, waits the quiet spell, then starts the measured run; `onMeasuring` runs just
   * before it (to start CPU sampling). What both writers wrote, together.
   */
  async write(file: string, linesPerSec: number, onMeasuring: () => void): Promise<{ written: number; matching: number }> {
    const burst = await runWriter(file, linesPerSec, WARMUP_MS);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    this.measuredFrom = monotonicMicros();
    onMeasuring();
    const measured = await runWriter(file, linesPerSec, DURATION_MS);
    return { written: burst.written + measured.written, matching: burst.matching + measured.matching };
  }

  summary(): Pick<LatencyRun, 'p50Ms' | 'p99Ms' | 'maxMs' | 'firstSecondP99Ms' | 'firstSecondMaxMs'> {
    const first = this.firstSecond.summary();
    return { ...this.measured.summary(), firstSecondP99Ms: first.p99Ms, firstSecondMaxMs: first.maxMs };
  }
}

async function runWriter(file: string, linesPerSec: number, durationMs: number): Promise<{ written: number; matching: number }> {
  const writer = startWorker('writer', 'line-writer.js', { files: [file], linesPerSec, durationMs, tickMs: TICK_MS, probe: ERRORS_PATTERN });
  let report: { written: number; matching: number } | undefined;
  writer.onStdoutLine((line) => {
    if (line.startsWith('{')) report = JSON.parse(line) as { written: number; matching: number };
  });
  await writer.exited;
  if (!report) throw new Error(`the writer failed: ${writer.stderrLines.join('\n')}`);
  return report;
}

/**
 * `agent`: the real `supergrep agent`; `forwarder`: workers/direct-forwarder.js, a minimal agent
 * that reads on every inotify event, to show the hub's and the viewer's share of the latency.
 */
type AgentKind = 'agent' | 'forwarder';

type SupergrepRun = LatencyRun & {
  hubCpuPercent: number;
  agentCpuPercent: number;
  readP50Ms?: number;
  readP99Ms?: number;
  /** CPU of everything outside the benchmark during the measured seconds, and who used it. */
  outsideCpuPercent: number;
  outsideCpuTop: string;
};

/**
 * Node options for a hub started without its launcher (`node bin/supergrep hub`): none, so without
 * the floor under V8's old-generation limit that bin/supergrep gives the hub, which otherwise runs a
 * full GC every 1-1.5 s at 50,000 lines/s once its cycle has started (docs/performance.md,
 * "Decisions"). Measured beside the hub as users start it, never instead of it.
 */
const HUB_WITHOUT_LAUNCHER: string[] = [];

/**
 * `hubNodeArgs`: start the hub's Node with exactly these options instead of through bin/supergrep
 * (see startHub); `hubConfig`: hub options (e.g. `{ history: false }`, bench/history.ts).
 */
export async function measureSupergrep(dir: string, linesPerSec: number, kind: AgentKind, hubNodeArgs?: string[], hubConfig?: Record<string, unknown>): Promise<SupergrepRun> {
  const children: Child[] = [];
  let viewer: BenchViewer | undefined;
  let forwarderReport: Record<string, number> | undefined;
  let outcome: (SupergrepRun & { forwarder?: Record<string, number> }) | undefined;
  try {
    // Every run its own file, hub data and agent state: none resumes from another's checkpoint.
    const run = `${kind}${hubNodeArgs ? '-node' : ''}-${linesPerSec}`;
    const file = join(dir, `live-${run}.log`);
    writeFileSync(file, '');
    const hub = await startHub(join(dir, `hub-${run}`), { nodeArgs: hubNodeArgs, config: hubConfig });
    children.push(hub.child);
    let agent: Child;
    if (kind === 'agent') {
      agent = startAgent({ hub: hub.wsUrl, paths: [file], stateFile: join(dir, `agent-${run}.json`) });
      children.push(agent);
      await agent.waitForLog('following the file', (r) => r.file === file && String(r.msg).startsWith('following'));
    } else {
      agent = startWorker('forwarder', 'direct-forwarder.js', { hub: hub.wsUrl, file });
      children.push(agent);
      const forwarder = agent;
      let ready = false;
      forwarder.onStdoutLine((line) => {
        if (line === 'ready') ready = true;
        else if (line.startsWith('{')) forwarderReport = JSON.parse(line) as Record<string, number>;
      });
      await waitUntil('the forwarder', () => ready || !forwarder.running);
    }
    const latencies = new PhasedLatency();
    viewer = await new BenchViewer(hub.url, { query: ERRORS_PATTERN }, (lines) => {
      const now = monotonicMicros();
      for (const line of lines) latencies.add(line.line, now, line.ts);
    }).ready();
    const hubUsage = new UsageSampler(hub.child.pid);
    const agentUsage = new UsageSampler(agent.pid);
    const outsideCpu = new OutsideCpuMeter();
    const { written, matching } = await latencies.write(file, linesPerSec, () => {
      hubUsage.start();
      agentUsage.start();
      outsideCpu.start();
    });
    const hubStats = hubUsage.stop();
    const agentStats = agentUsage.stop();
    const active = viewer;
    await waitUntil('the last matches', () => active.received >= matching, DRAIN_MS).catch(() => undefined);
    // Only now: reading every thread's stat takes the viewer's process 4-8 ms, which the last matches
    // in flight would otherwise wait for.
    const outside = outsideCpu.stop();
    outcome = {
      written,
      expected: matching,
      received: viewer.received,
      lost: matching - viewer.received,
      ...latencies.summary(),
      ...latencies.measured.readHop(),
      hubCpuPercent: hubStats.cpuPercent,
      agentCpuPercent: agentStats.cpuPercent,
      outsideCpuPercent: outside.cpuPercent,
      outsideCpuTop: describeTop(outside),
    };
  } finally {
    viewer?.close();
    for (const child of children.reverse()) await child.stop();
  }
  if (forwarderReport) outcome.forwarder = forwarderReport;
  return outcome;
}

async function measureTailGrep(dir: string, linesPerSec: number): Promise<LatencyRun> {
  const file = join(dir, `tail-${linesPerSec}.log`);
  writeFileSync(file, '');
  const latencies = new PhasedLatency();
  let received = 0;
  const pipeline = startChild('tail|grep', 'sh', ['-c', `exec tail -F -n 0 ${shellQuote(file)} 2>/dev/null | grep --line-buffered -E ${shellQuote(ERRORS_PATTERN)}`], {
    keepLines: false,
    // Own process group, so that stopping it stops tail and grep together.
    detached: true,
  });
  pipeline.onStdoutLine((line) => {
    received += 1;
    latencies.add(line, monotonicMicros());
  });
  try {
    // tail -F needs a moment to open the file and set up inotify before the writer starts.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { written, matching } = await latencies.write(file, linesPerSec, () => {});
    await waitUntil('the last matches', () => received >= matching, DRAIN_MS).catch(() => undefined);
    return { written, expected: matching, received, lost: matching - received, ...latencies.summary() };
  } finally {
    try {
      process.kill(-pipeline.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await pipeline.exited;
  }
}

export async function runLiveLatency(): Promise<BenchResult> {
  const result = new ResultBuilder('live-latency');
  const temp = makeTempDir('live');
  try {
    for (const rate of RATES) {
      const ours = await measureSupergrep(temp.dir, rate, 'agent');
      const plainHub = rate === 50_000 ? await measureSupergrep(temp.dir, rate, 'agent', HUB_WITHOUT_LAUNCHER) : undefined;
      const hubPath = await measureSupergrep(temp.dir, rate, 'forwarder');
      const baseline = await measureTailGrep(temp.dir, rate);
      const label = `${rate / 1000}k lines/s`;
      const lostNote = (run: LatencyRun) => (run.lost === 0 ? undefined : `${run.lost} of ${run.expected} matches lost`);
      result.lowerIsBetter(`${label}: p50`, ours.p50Ms, 'ms', { name: 'tail -F | grep', value: baseline.p50Ms });
      result.lowerIsBetter(`${label}: p99`, ours.p99Ms, 'ms', { name: 'tail -F | grep', value: baseline.p99Ms });
      result.lowerIsBetter(`${label}: max`, ours.maxMs, 'ms', { name: 'tail -F | grep', value: baseline.maxMs });
      result.lowerIsBetter(`${label}: matches lost`, ours.lost, 'lines', { name: 'tail -F | grep', value: baseline.lost }, lostNote(ours));
      result.lowerIsBetter(`${label}: first second after start, p99`, ours.firstSecondP99Ms, 'ms', { name: 'tail -F | grep', value: baseline.firstSecondP99Ms },
        'a burst right after the hub and the agent started, before the measured 10 s: their code still cold; not a target');
      result.lowerIsBetter(`${label}: first second after start, max`, ours.firstSecondMaxMs, 'ms', { name: 'tail -F | grep', value: baseline.firstSecondMaxMs });
      result.lowerIsBetter(`${label}: hub path alone p50`, hubPath.p50Ms, 'ms', { name: 'tail -F | grep', value: baseline.p50Ms },
        'a minimal inotify-driven forwarder in place of supergrep agent');
      result.lowerIsBetter(`${label}: hub path alone p99`, hubPath.p99Ms, 'ms', { name: 'tail -F | grep', value: baseline.p99Ms });
      result.lowerIsBetter(`${label}: hub path alone max`, hubPath.maxMs, 'ms', { name: 'tail -F | grep', value: baseline.maxMs });
      result.lowerIsBetter(`${label}: hub path alone lost`, hubPath.lost, 'lines', { name: 'tail -F | grep', value: baseline.lost });
      if (ours.readP99Ms !== undefined) {
        result.lowerIsBetter(`${label}: written -> read by the agent, p99`, ours.readP99Ms, 'ms', undefined,
          `p50 ${round(ours.readP50Ms ?? Number.NaN, 2)} ms; from each batch's ts (whole ms); the rest of the latency is the agent's send, the hub and the viewer`);
      }
      result.lowerIsBetter(`${label}: hub CPU`, ours.hubCpuPercent, '% of a core');
      result.lowerIsBetter(`${label}: agent CPU`, ours.agentCpuPercent, '% of a core');
      if (plainHub) {
        result.lowerIsBetter(`${label}: p99, hub without its launcher's GC floor`, plainHub.p99Ms, 'ms', { name: 'tail -F | grep', value: baseline.p99Ms },
          `the hub started as node bin/supergrep hub, in a run of its own; the targets are on bin/supergrep hub${plainHub.lost === 0 ? '' : `; ${plainHub.lost} of ${plainHub.expected} matches lost`}`);
        result.lowerIsBetter(`${label}: hub CPU, hub without its launcher's GC floor`, plainHub.hubCpuPercent, '% of a core');
      }
      result.lowerIsBetter(`${label}: CPU of other processes during the run`, ours.outsideCpuPercent, '% of a core', undefined,
        `not a figure of supergrep: kernel threads and other users during the measured seconds (${ours.outsideCpuTop}); high when the machine was noisy`);
      result.target(`p99 at ${label} (ms)`, ours.p99Ms, rate <= 50_000 ? 10 : 50, true);
      result.target(`matches lost at ${label}`, ours.lost, 0, true);
      result.details[label] = {
        supergrep: roundAll(ours),
        ...(plainHub ? { supergrepHubWithoutLauncher: roundAll(plainHub) } : {}),
        hubPathAlone: roundAll(hubPath),
        tailGrep: roundAll(baseline),
      };
    }
    return result.finish();
  } finally {
    temp.remove();
  }
}

function roundAll<T extends object>(run: T): T {
  return Object.fromEntries(Object.entries(run).map(([key, value]) => [key, typeof value === 'number' ? round(value, 4) : value])) as T;
}
