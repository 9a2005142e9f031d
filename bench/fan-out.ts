/**
 * Benchmark 4: fan-out and scale. 500 simulated agents (plain WebSockets sending lines frames, in
 * two worker processes) send 100,000 lines/s in total to one hub (the real CLI); 50 viewers with
 * distinct filters (about 5% of the lines match one of them) receive their matches. Figures: the
 * hub's CPU and RSS, and the lines delivered per second. Baseline: the CPU that 50 `grep -E`
 * processes (each viewer grepping every line itself) need for the same lines.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote, timeShell } from './lib/baseline.js';
import { chooseFilters, generateLines, joinLines } from './lib/dataset.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startHub, startWorker, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const AGENTS = 500;
const WORKERS = 2;
const VIEWERS = 50;
/** Each agent sends a batch of 20 lines every 100 ms: 200 lines/s, 100,000 lines/s in total. */
const LINES_PER_BATCH = 20;
const INTERVAL_MS = 100;
const WARMUP_MS = 5_000;
const MEASURE_MS = 20_000;
/** Share of the lines that match at least one viewer's filter. */
const MATCH_SHARE = 0.05;
const GREP_SAMPLE_LINES = 200_000;

interface SimReport {
  t: number;
  sentLines: number;
  ackedBatches: number;
  skippedBatches: number;
  errors: number;
  ready?: number;
  done?: boolean;
}

/** The hub's own view of its memory (prom-client's process and Node.js metrics), in MB. */
async function memoryMetrics(hubUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes']) {
    const match = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
    if (match) out[name.replace(/_bytes$/, '_mb')] = Math.round(Number(match[1]) / 1e5) / 10;
  }
  return out;
}

export async function runFanOut(hubConfig?: Record<string, unknown>): Promise<BenchResult> {
  const result = new ResultBuilder('fan-out');
  const temp = makeTempDir('fanout');
  const children: Child[] = [];
  const viewers: BenchViewer[] = [];
  try {
    const sample = generateLines(100_000, 21);
    const { patterns, unionShare } = chooseFilters(sample, VIEWERS, MATCH_SHARE);

    const hub = await startHub(join(temp.dir, 'hub-data'), { config: hubConfig });
    children.push(hub.child);
    for (const query of patterns) viewers.push(await new BenchViewer(hub.url, { query }).ready());

    const reports: SimReport[][] = [];
    const perWorker = AGENTS / WORKERS;
    for (let worker = 0; worker < WORKERS; worker += 1) {
      const log: SimReport[] = [];
      reports.push(log);
      const child = startWorker(`agents-${worker}`, 'simulated-agents.js', {
        hub: hub.wsUrl,
        first: worker * perWorker,
        count: perWorker,
        linesPerBatch: LINES_PER_BATCH,
        intervalMs: INTERVAL_MS,
        durationMs: WARMUP_MS + MEASURE_MS + 2_000,
        maxUnacked: 50,
        seed: 100 + worker,
      });
      child.onStdoutLine((line) => {
        if (line.startsWith('{')) log.push(JSON.parse(line) as SimReport);
      });
      children.push(child);
    }
    await waitUntil('every simulated agent to connect', () => reports.every((log) => (log.at(-1)?.ready ?? 0) === perWorker), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));

    const delivered = () => viewers.reduce((sum, viewer) => sum + viewer.received, 0);
    const sent = () => reports.reduce((sum, log) => sum + (log.at(-1)?.sentLines ?? 0), 0);
    const usage = new UsageSampler(hub.child.pid, 250).start();
    const delivered0 = delivered();
    const sent0 = sent();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const seconds = (performance.now() - started) / 1000;
    const hubStats = usage.stop();
    const deliveredPerSec = (delivered() - delivered0) / seconds;
    const ingestPerSec = (sent() - sent0) / seconds;
    const dropped = viewers.reduce((sum, viewer) => sum + viewer.dropped, 0);
    result.details.hubMemory = await memoryMetrics(hub.url);
    const last = reports.map((log) => log.at(-1)!);

    // Baseline: every viewer greps every line itself. CPU per line of 50 grep -E processes, one per
    // filter, over a sample of the same kind of lines, times the lines the hub took in per second.
    const sampleFile = join(temp.dir, 'sample.log');
    writeFileSync(sampleFile, joinLines(generateLines(GREP_SAMPLE_LINES, 21)));
    let grepCpuSec = 0;
    for (const pattern of patterns) {
      grepCpuSec += (await timeShell(`grep -E -c ${shellQuote(pattern)} ${shellQuote(sampleFile)}`, { LC_ALL: 'C' })).cpuSec;
    }
    const grepCpuPercent = (100 * grepCpuSec * ingestPerSec) / GREP_SAMPLE_LINES;

    result.lowerIsBetter('hub CPU', hubStats.cpuPercent, '% of a core', { name: '50 x grep -E', value: grepCpuPercent });
    result.lowerIsBetter('hub peak RSS', hubStats.maxRssMb, 'MB');
    result.higherIsBetter('lines delivered to viewers', deliveredPerSec, 'lines/s', undefined, dropped > 0 ? `${dropped} lines dropped for slow viewers` : undefined);
    result.higherIsBetter('lines taken in from agents', ingestPerSec, 'lines/s');
    result.target('hub peak RSS (MB)', hubStats.maxRssMb, 300, true);
    result.details.setup = { agents: AGENTS, viewers: VIEWERS, linesPerBatch: LINES_PER_BATCH, intervalMs: INTERVAL_MS, measureMs: MEASURE_MS, matchShare: unionShare, patterns };
    // RSS every 2 s of the measuring window: flat once the backlog is full, growing would be a leak.
    result.details.hub = { ...hubStats, rssTimelineMb: usage.rssSamples.filter((_, index) => index % 8 === 0).map((mb) => Math.round(mb)) };
    result.details.agents = last;
    result.details.viewersDropped = dropped;
    result.details.grep = { sampleLines: GREP_SAMPLE_LINES, cpuSec: grepCpuSec };
    return result.finish();
  } finally {
    for (const viewer of viewers) viewer.close();
    for (const child of children.reverse()) await child.stop();
    temp.remove();
  }
}
