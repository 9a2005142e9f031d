/**
 * Benchmark: one hub versus three hubs on one NATS (`--nats`), on this machine.
 *
 * 60 simulated agents (three worker processes, plain WebSockets sending lines frames) offer more
 * lines than the hubs take in: each sends 100 lines every 20 ms with at most 4 batches
 * unacknowledged, so the rate taken in is what the hubs sustain. 30 viewers each watch one service
 * (5 hosts) for warnings and errors (about 3% of the lines), as teams do. One hub: all agents and viewers on it. Three hubs: a third of the
 * agents and of the viewers on each, most viewers watching hosts of other hubs.
 *
 * Figures: lines taken in and delivered per second in each setup, CPU of every hub and of
 * nats-server, and the NATS traffic each hub receives with interest routing (it subscribes to its
 * viewers' hosts only) versus without (each hub also holds a viewer with no host restriction, so it
 * needs every subject: the firehose).
 */
import { join } from 'node:path';
import { UsageSampler } from './lib/proc-usage.js';
import { startChild, startHub, startWorker, waitUntil, type BenchHub, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const AGENTS = 60;
const WORKERS = 3;
const VIEWERS = 30;
/** Hosts form services of 5 (sim-0..4 is service 0, ...); each viewer watches one service. */
const HOSTS_PER_SERVICE = 5;
/** What each viewer looks for: about 3% of the generated lines. */
const VIEWER_QUERY = 'WARN|ERROR|status=5\\d\\d';
const LINES_PER_BATCH = 100;
const INTERVAL_MS = 20;
const MAX_UNACKED = 4;
/** Agents connect while the first ones already send at full speed, which slows the later ones. */
const CONNECT_TIMEOUT_MS = 30_000;
const WARMUP_MS = 3_000;
const MEASURE_MS = 10_000;
/** The traffic figure without interest routing, measured on the same three hubs afterwards. */
const TRAFFIC_MEASURE_MS = 5_000;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: readonly number[]) => sum(values) / values.length;

interface SimReport {
  sentLines: number;
  ready?: number;
}

interface Setup {
  hubs: BenchHub[];
  nats?: Child;
  children: Child[];
  viewers: BenchViewer[];
  reports: SimReport[][];
}

interface Measured {
  ingestPerSec: number;
  deliveredPerSec: number;
  droppedLines: number;
  hubCpuPercent: number[];
  natsCpuPercent?: number;
  /** Per hub, bytes per second received from other hubs over NATS. */
  natsReceivedBytesPerSec: number[];
  natsReceivedLinesPerSec: number[];
  natsPublishedBytesPerSec: number[];
}

/**
 * The hosts viewer `v` watches: service v % 12. With three hubs, viewer v is on hub v % 3 and the
 * agents of hub w are services 4w..4w+3, so each hub's viewers want two local services and two of
 * other hubs: a quarter of the other hubs' lines.
 */
function viewerHosts(viewer: number): string[] {
  const service = viewer % (AGENTS / HOSTS_PER_SERVICE);
  return Array.from({ length: HOSTS_PER_SERVICE }, (_, i) => `sim-${service * HOSTS_PER_SERVICE + i}`);
}

/** The sum of every series of `name` in a hub's /metrics (all label sets). */
async function metric(hub: BenchHub, name: string): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(match[1]);
  return total;
}

async function startNats(dir: string): Promise<{ child: Child; url: string }> {
  const child = startChild('nats-server', process.env.NATS_SERVER_BIN ?? 'nats-server', ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', dir]);
  const listening = await waitUntil('nats-server to listen', () => {
    if (!child.running) throw new Error(`nats-server exited:\n${child.stderrLines.join('\n')}`);
    const ready = child.stderrLines.some((line) => line.includes('Server is ready'));
    const port = child.stderrLines.map((line) => /Listening for client connections on [\d.]+:(\d+)/.exec(line)?.[1]).find(Boolean);
    return ready ? port : undefined;
  }, 15_000);
  return { child, url: `nats://127.0.0.1:${listening}` };
}

async function start(dir: string, hubCount: number): Promise<Setup> {
  const setup: Setup = { hubs: [], children: [], viewers: [], reports: [] };
  try {
    let natsUrl: string | undefined;
    if (hubCount > 1) {
      const nats = await startNats(join(dir, 'jetstream'));
      setup.nats = nats.child;
      setup.children.push(nats.child);
      natsUrl = nats.url;
    }
    for (let i = 0; i < hubCount; i += 1) {
      const hub = await startHub(join(dir, `hub-${i}`), { config: natsUrl ? { nats: natsUrl } : {} });
      setup.hubs.push(hub);
      setup.children.push(hub.child);
    }
    for (let v = 0; v < VIEWERS; v += 1) {
      const hub = setup.hubs[v % hubCount]!;
      setup.viewers.push(await new BenchViewer(hub.url, { query: VIEWER_QUERY, hosts: viewerHosts(v) }).ready());
    }
    const perWorker = AGENTS / WORKERS;
    for (let w = 0; w < WORKERS; w += 1) {
      const log: SimReport[] = [];
      setup.reports.push(log);
      const child = startWorker(`agents-${w}`, 'simulated-agents.js', {
        hub: setup.hubs[w % hubCount]!.wsUrl,
        first: w * perWorker,
        count: perWorker,
        linesPerBatch: LINES_PER_BATCH,
        intervalMs: INTERVAL_MS,
        // Stopped by the benchmark once measured; long enough for a slow start.
        durationMs: CONNECT_TIMEOUT_MS + 2 * WARMUP_MS + MEASURE_MS + TRAFFIC_MEASURE_MS + 10_000,
        maxUnacked: MAX_UNACKED,
        seed: 300 + w,
      });
      child.onStdoutLine((line) => {
        if (line.startsWith('{')) log.push(JSON.parse(line) as SimReport);
      });
      setup.children.push(child);
    }
    await waitUntil('every simulated agent to connect', () => setup.reports.every((log) => (log.at(-1)?.ready ?? 0) === perWorker), CONNECT_TIMEOUT_MS, 50).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(setup.reports.map((log) => log.at(-1)))}`);
    });
    return setup;
  } catch (error) {
    await stop(setup);
    throw error;
  }
}

async function stop(setup: Setup): Promise<void> {
  for (const viewer of setup.viewers) viewer.close();
  for (const child of setup.children.reverse()) await child.stop();
}

async function measure(setup: Setup, measureMs: number): Promise<Measured> {
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  const delivered = () => setup.viewers.reduce((sum, viewer) => sum + viewer.received, 0);
  const dropped = () => setup.viewers.reduce((sum, viewer) => sum + viewer.dropped, 0);
  // The hubs' own count: the workers' reports reach this busy process late.
  const ingested = async () => sum(await Promise.all(setup.hubs.map((hub) => metric(hub, 'supergrep_agent_lines_total'))));
  const natsCounters = () =>
    Promise.all(
      setup.hubs.map(async (hub) => ({
        bytes: await metric(hub, 'supergrep_nats_bytes_received_total'),
        lines: await metric(hub, 'supergrep_nats_lines_received_total'),
        published: await metric(hub, 'supergrep_nats_bytes_published_total'),
      })),
    );
  const samplers = setup.hubs.map((hub) => new UsageSampler(hub.child.pid, 250).start());
  const natsSampler = setup.nats && new UsageSampler(setup.nats.pid, 250).start();
  const [delivered0, dropped0, ingested0, nats0] = [delivered(), dropped(), await ingested(), await natsCounters()];
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  const seconds = (performance.now() - started) / 1000;
  const nats1 = await natsCounters();
  const ingested1 = await ingested();
  const hubCpuPercent = samplers.map((sampler) => sampler.stop().cpuPercent);
  return {
    ingestPerSec: (ingested1 - ingested0) / seconds,
    deliveredPerSec: (delivered() - delivered0) / seconds,
    droppedLines: dropped() - dropped0,
    hubCpuPercent,
    ...(natsSampler ? { natsCpuPercent: natsSampler.stop().cpuPercent } : {}),
    natsReceivedBytesPerSec: nats1.map((end, i) => (end.bytes - nats0[i]!.bytes) / seconds),
    natsReceivedLinesPerSec: nats1.map((end, i) => (end.lines - nats0[i]!.lines) / seconds),
    natsPublishedBytesPerSec: nats1.map((end, i) => (end.published - nats0[i]!.published) / seconds),
  };
}

async function run(dir: string, hubCount: number): Promise<{ interest: Measured; firehose?: Measured }> {
  const setup = await start(join(dir, `${hubCount}-hubs`), hubCount);
  try {
    const interest = await measure(setup, MEASURE_MS);
    if (hubCount === 1) return { interest };
    // Now without interest routing: on each hub, a filter with no host restriction needs every
    // line subject. It matches nothing, so it costs the hub the traffic and one RE2 pass, no deliveries.
    for (const hub of setup.hubs) setup.viewers.push(await new BenchViewer(hub.url, { query: 'NEVER-MATCHES' }).ready());
    const firehose = await measure(setup, TRAFFIC_MEASURE_MS);
    return { interest, firehose };
  } finally {
    await stop(setup);
  }
}


export async function runCluster(): Promise<BenchResult> {
  const result = new ResultBuilder('cluster');
  const temp = makeTempDir('cluster');
  try {
    const t0 = performance.now();
    const { interest: one } = await run(temp.dir, 1);
    const t1 = performance.now();
    const { interest: three, firehose } = await run(temp.dir, 3);
    if (!firehose) throw new Error('three hubs measured no firehose traffic');
    result.details.phaseSeconds = { oneHub: Math.round((t1 - t0) / 1000), threeHubs: Math.round((performance.now() - t1) / 1000) };

    result.higherIsBetter('lines delivered to viewers, 3 hubs', three.deliveredPerSec, 'lines/s', { name: '1 hub', value: one.deliveredPerSec }, three.droppedLines > 0 ? `${three.droppedLines} lines dropped for slow viewers` : undefined);
    result.higherIsBetter('lines taken in from agents, 3 hubs', three.ingestPerSec, 'lines/s', { name: '1 hub', value: one.ingestPerSec });
    result.lowerIsBetter('NATS traffic received per hub, interest routing', mean(three.natsReceivedBytesPerSec) / 1e6, 'MB/s', { name: 'every hub subscribed to every line', value: mean(firehose.natsReceivedBytesPerSec) / 1e6 });
    result.lowerIsBetter('NATS lines received per hub, interest routing', mean(three.natsReceivedLinesPerSec), 'lines/s', { name: 'every line', value: mean(firehose.natsReceivedLinesPerSec) });
    result.lowerIsBetter('CPU of the 3 hubs together', sum(three.hubCpuPercent), '% of a core', { name: '1 hub', value: one.hubCpuPercent[0]! });
    result.lowerIsBetter('nats-server CPU', three.natsCpuPercent ?? 0, '% of a core');
    result.details.setup = { agents: AGENTS, workers: WORKERS, viewers: VIEWERS, hostsPerViewer: HOSTS_PER_SERVICE, viewerQuery: VIEWER_QUERY, linesPerBatch: LINES_PER_BATCH, intervalMs: INTERVAL_MS, maxUnacked: MAX_UNACKED, measureMs: MEASURE_MS };
    result.details.oneHub = one;
    result.details.threeHubs = three;
    result.details.threeHubsFirehose = firehose;
    return result.finish();
  } finally {
    temp.remove();
  }
}
