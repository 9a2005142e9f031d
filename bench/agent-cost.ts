/**
 * Benchmark 5: agent cost. One `supergrep agent` follows 20 files (a glob) that a writer process
 * appends to at 10,000 lines/s in total (every 10 ms, 5 lines to each file), sending to a real hub.
 * Figures: the agent's CPU and RSS in two windows of the same run. The first, 10 s after 3 s, still
 * holds V8 compiling the agent's code (its hot functions are called a few hundred times a second,
 * so they warm up over the first minute); the steady one, 20 s after 30 s, is what the agent costs
 * for as long as it runs, and is what the target is checked against. Peak RSS is the highest over
 * the whole run. Baseline: `tail -F` following the same 20 files under the same writer (it only
 * prints the lines, so it is a floor, not a peer).
 *
 * The idle case: one agent follows 2,000 files of one line each (`logs/*.log`, a node's worth of
 * container logs) that nobody writes to. Figures: CPU over an idle window, RSS and open descriptors
 * at its end, and the pick-up latency of a write to an idle file (written -> a viewer has it, one
 * write at a time to different files). Three runs: files closed after `--close-idle 5s`, the same
 * with `--close-idle off` (every file open, the comparison), and files idle for an hour before the
 * agent starts (closed from the start, as after an agent restart on a quiet node).
 *
 * SUPERGREP_BENCH_AGENT_COST=busy or =idle runs only that case (`node dist/bench/run-all.js agent-cost`).
 */
import { appendFileSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS_PATTERN } from './lib/dataset.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startAgent, startChild, startHub, startWorker, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { percentiles } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const FILES = 20;
const LINES_PER_SEC = 10_000;
const TICK_MS = 10;

/** A measurement window, from the writer's start. */
interface Window {
  fromMs: number;
  lengthMs: number;
}

const FIRST_WINDOW: Window = { fromMs: 3_000, lengthMs: 10_000 };
const STEADY_WINDOW: Window = { fromMs: 30_000, lengthMs: 20_000 };

interface Usage {
  cpuPercent: number;
  /** Highest RSS from the writer's start to the end of the window. */
  maxRssMb: number;
  linesPerSec: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the writer until the last of `windows` ends and measures `pid` over each. RSS is sampled from
 * the writer's start, so each window's peak covers everything before it as well.
 */
async function underWriter(files: string[], pid: number, windows: readonly Window[], linesTaken?: () => Promise<number>, keepEvents = false): Promise<Usage[]> {
  const last = windows[windows.length - 1]!;
  const writer = startWorker('writer', 'line-writer.js', { files, linesPerSec: LINES_PER_SEC, durationMs: last.fromMs + last.lengthMs + 1_000, tickMs: TICK_MS, probe: ERRORS_PATTERN, keepEvents });
  const rss = new UsageSampler(pid, 250).start();
  const startedAt = performance.now();
  const usages: Usage[] = [];
  try {
    for (const window of windows) {
      await sleep(window.fromMs - (performance.now() - startedAt));
      const before = linesTaken ? await linesTaken() : 0;
      const usage = new UsageSampler(pid, 250).start();
      await sleep(window.lengthMs);
      const stats = usage.stop();
      const after = linesTaken ? await linesTaken() : 0;
      usages.push({ cpuPercent: stats.cpuPercent, maxRssMb: Math.max(rss.maxRssMb, stats.maxRssMb), linesPerSec: (after - before) / stats.seconds });
    }
    return usages;
  } finally {
    rss.stop();
    await writer.stop();
  }
}

/** Lines the hub has taken in from agents so far (its Prometheus counter). */
async function hubLines(hubUrl: string): Promise<number> {
  const text = await (await fetch(`${hubUrl}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^supergrep_agent_lines_total\{[^}]*\} (\S+)/gm)) total += Number(match[1]);
  return total;
}

/** The multi-line case: one window, after the agent's code has warmed up. */
const MULTILINE_WINDOW: Window = { fromMs: 15_000, lengthMs: 20_000 };

/** The agent's CPU under the writer with stack traces kept whole (see line-writer), with `args`. */
async function multilineRun(args: string[]): Promise<Usage> {
  const temp = makeTempDir('agentml');
  const children: Child[] = [];
  try {
    const dir = join(temp.dir, 'logs');
    mkdirSync(dir);
    const files = Array.from({ length: FILES }, (_, i) => join(dir, `app-${String(i).padStart(2, '0')}.log`));
    for (const file of files) writeFileSync(file, '');
    const hub = await startHub(join(temp.dir, 'hub-data'));
    children.push(hub.child);
    const agent = startAgent({ hub: hub.wsUrl, paths: [join(dir, '*.log')], stateFile: join(temp.dir, 'agent-state.json'), args });
    children.push(agent);
    await waitUntil('the agent to follow every file', () => agent.logs().filter((r) => String(r.msg).startsWith('following')).length >= FILES, 20_000);
    const [usage] = (await underWriter(files, agent.pid, [MULTILINE_WINDOW], () => hubLines(hub.url), true)) as [Usage];
    return usage;
  } finally {
    for (const child of children.reverse()) await child.stop();
    temp.remove();
  }
}

/**
 * Multi-line events (issue 21): the agent's CPU at 10,000 lines/s with stack traces joined (the
 * default) against `--multiline off` on the same lines, in turns, twice each; the lowest of each.
 */
async function addMultilineCase(result: ResultBuilder): Promise<void> {
  const on: Usage[] = [];
  const off: Usage[] = [];
  for (let round = 0; round < 2; round += 1) {
    on.push(await multilineRun([]));
    off.push(await multilineRun(['--multiline', 'off']));
  }
  const lowest = (runs: Usage[]) => Math.min(...runs.map((run) => run.cpuPercent));
  const note = `${LINES_PER_SEC} lines/s over ${FILES} files, traces' frames kept with their head; ${MULTILINE_WINDOW.lengthMs / 1000} s from ${MULTILINE_WINDOW.fromMs / 1000} s, lowest of 2 runs each`;
  result.lowerIsBetter('multi-line on: agent CPU', lowest(on), '% of a core', { name: '--multiline off', value: lowest(off) }, note);
  result.target('multi-line on / off: agent CPU (ratio)', lowest(on) / lowest(off), 1.3, true);
  result.details.multiline = { window: MULTILINE_WINDOW, on, off };
}

const IDLE_FILES = 2_000;
const IDLE_WINDOW_MS = 20_000;
/** With closing off, how long after every file is followed the idle window starts. */
const IDLE_SETTLE_MS = 10_000;
const PICKUP_WRITES = 50;

interface IdleRun {
  cpuPercent: number;
  rssMb: number;
  /** Highest RSS from the agent's start to the end of the idle window. */
  peakRssMb: number;
  descriptors: number;
  pickupP50Ms: number;
  pickupP99Ms: number;
  pickupMaxMs: number;
}

function descriptorCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * One agent over IDLE_FILES idle files: `closeIdle` is its `--close-idle`; `aged` sets the files'
 * modification time an hour back before it starts.
 */
async function idleRun(closeIdle: string, aged: boolean): Promise<IdleRun> {
  const temp = makeTempDir('agentidle');
  const children: Child[] = [];
  let viewer: BenchViewer | undefined;
  try {
    const dir = join(temp.dir, 'logs');
    mkdirSync(dir);
    const files = Array.from({ length: IDLE_FILES }, (_, i) => join(dir, `pod-${String(i).padStart(4, '0')}.log`));
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const file of files) {
      writeFileSync(file, `started ${file}\n`);
      if (aged) utimesSync(file, hourAgo, hourAgo);
    }
    const hub = await startHub(join(temp.dir, 'hub-data'));
    children.push(hub.child);
    const arrivals = new Map<string, number>();
    viewer = await new BenchViewer(hub.url, { query: '^pickup ' }, (lines) => {
      const now = performance.now();
      for (const line of lines) arrivals.set(line.line, now);
    }).ready();
    const agent = startAgent({ hub: hub.wsUrl, paths: [join(dir, '*.log')], stateFile: join(temp.dir, 'agent-state.json'), args: ['--close-idle', closeIdle] });
    children.push(agent);
    const peak = new UsageSampler(agent.pid, 250).start();
    await waitUntil('the agent to follow every file', () => agent.logs().filter((r) => String(r.msg).startsWith('following')).length >= IDLE_FILES, 120_000, 100);
    if (closeIdle === 'off') await sleep(IDLE_SETTLE_MS);
    else await waitUntil('the idle files to be closed', () => descriptorCount(agent.pid) < 100, 120_000, 100);
    const usage = new UsageSampler(agent.pid, 250).start();
    await sleep(IDLE_WINDOW_MS);
    const idle = usage.stop();
    const descriptors = descriptorCount(agent.pid);
    const peakRssMb = peak.stop().maxRssMb;
    // One write at a time, each to another file, spread over the directory.
    const latencies: number[] = [];
    for (let i = 0; i < PICKUP_WRITES; i += 1) {
      const line = `pickup ${i}`;
      const writtenAt = performance.now();
      appendFileSync(files[Math.floor((i * IDLE_FILES) / PICKUP_WRITES)]!, `${line}\n`);
      await waitUntil(`"${line}" at the viewer`, () => arrivals.has(line), 10_000, 1);
      latencies.push(arrivals.get(line)! - writtenAt);
    }
    const [p50, p99, max] = percentiles(Float64Array.from(latencies), [50, 99, 100]) as [number, number, number];
    return { cpuPercent: idle.cpuPercent, rssMb: idle.lastRssMb, peakRssMb, descriptors, pickupP50Ms: p50, pickupP99Ms: p99, pickupMaxMs: max };
  } finally {
    viewer?.close();
    for (const child of children.reverse()) await child.stop();
    temp.remove();
  }
}

/** The idle case (see the file comment), added to `result`. */
async function addIdleCase(result: ResultBuilder): Promise<void> {
  const closing = await idleRun('5s', false);
  const open = await idleRun('off', false);
  const aged = await idleRun('5m', true);
  const openBaseline = (value: number) => ({ name: 'closing off', value });
  const setup = `${IDLE_FILES} files of one line`;
  result.lowerIsBetter('idle: agent CPU', closing.cpuPercent, '% of a core', openBaseline(open.cpuPercent), `${setup}, closed after 5 s; ${IDLE_WINDOW_MS / 1000} s window`);
  result.lowerIsBetter('idle: agent RSS', closing.rssMb, 'MB', openBaseline(open.rssMb), `at the end of the window; peak ${closing.peakRssMb.toFixed(1)} MB while the files were open`);
  result.lowerIsBetter('idle: open descriptors', closing.descriptors, 'fds', openBaseline(open.descriptors));
  result.lowerIsBetter('idle: pick-up p50', closing.pickupP50Ms, 'ms', openBaseline(open.pickupP50Ms), `write to a closed file -> viewer, ${PICKUP_WRITES} writes`);
  result.lowerIsBetter('idle: pick-up p99', closing.pickupP99Ms, 'ms', openBaseline(open.pickupP99Ms));
  result.lowerIsBetter('idle, files an hour old at start: agent CPU', aged.cpuPercent, '% of a core', openBaseline(open.cpuPercent), 'closed from the start (default --close-idle)');
  result.lowerIsBetter('idle, files an hour old at start: agent RSS', aged.rssMb, 'MB', openBaseline(open.rssMb));
  result.lowerIsBetter('idle, files an hour old at start: pick-up p99', aged.pickupP99Ms, 'ms', openBaseline(open.pickupP99Ms));
  result.target('idle: agent CPU (% of a core)', closing.cpuPercent, 1, true);
  result.target('idle: agent RSS (MB)', closing.rssMb, 100, true);
  result.target('idle: pick-up of a write to a closed file, p99 (ms)', closing.pickupP99Ms, 100, true);
  result.details.idle = { files: IDLE_FILES, windowMs: IDLE_WINDOW_MS, pickupWrites: PICKUP_WRITES, closing, open, aged };
}

/** The cases to run: both unless SUPERGREP_BENCH_AGENT_COST names one. */
function selectedCases(): { busy: boolean; idle: boolean } {
  const only = process.env.SUPERGREP_BENCH_AGENT_COST;
  if (only === undefined || only === '') return { busy: true, idle: true };
  if (only !== 'busy' && only !== 'idle') throw new Error(`SUPERGREP_BENCH_AGENT_COST must be busy or idle, not ${only}`);
  return { busy: only === 'busy', idle: only === 'idle' };
}

export async function runAgentCost(): Promise<BenchResult> {
  const cases = selectedCases();
  const result = new ResultBuilder('agent-cost');
  if (!cases.busy) {
    await addIdleCase(result);
    return result.finish();
  }
  const temp = makeTempDir('agentcost');
  const children: Child[] = [];
  try {
    const dir = join(temp.dir, 'logs');
    const files = Array.from({ length: FILES }, (_, i) => join(dir, `app-${String(i).padStart(2, '0')}.log`));
    mkdirSync(dir);
    for (const file of files) writeFileSync(file, '');

    const hub = await startHub(join(temp.dir, 'hub-data'));
    children.push(hub.child);
    const agent = startAgent({ hub: hub.wsUrl, paths: [join(dir, '*.log')], stateFile: join(temp.dir, 'agent-state.json') });
    children.push(agent);
    await waitUntil('the agent to follow every file', () => agent.logs().filter((r) => String(r.msg).startsWith('following')).length >= FILES, 20_000);
    const [first, steady] = (await underWriter(files, agent.pid, [FIRST_WINDOW, STEADY_WINDOW], () => hubLines(hub.url))) as [Usage, Usage];
    await agent.stop();
    await hub.child.stop();

    // Baseline: tail -F on the same files; it reads and prints every line, to /dev/null.
    const tail = startChild('tail', 'tail', ['-F', '-q', '-n', '0', ...files], { keepLines: false, stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(tail);
    await sleep(300);
    const [baseline] = (await underWriter(files, tail.pid, [FIRST_WINDOW])) as [Usage];
    await tail.stop();

    const steadyNote = `${STEADY_WINDOW.lengthMs / 1000} s from ${STEADY_WINDOW.fromMs / 1000} s after the writer started`;
    result.lowerIsBetter('agent CPU, steady', steady.cpuPercent, '% of a core', { name: 'tail -F', value: baseline.cpuPercent }, steadyNote);
    result.lowerIsBetter(`agent CPU, first ${FIRST_WINDOW.lengthMs / 1000} s`, first.cpuPercent, '% of a core', { name: 'tail -F', value: baseline.cpuPercent }, `from ${FIRST_WINDOW.fromMs / 1000} s: V8 still compiling the agent's code`);
    result.lowerIsBetter('agent peak RSS', steady.maxRssMb, 'MB', { name: 'tail -F', value: baseline.maxRssMb }, `highest over the ${(STEADY_WINDOW.fromMs + STEADY_WINDOW.lengthMs) / 1000} s`);
    result.higherIsBetter('lines taken in by the hub', steady.linesPerSec, 'lines/s', undefined, `${FILES} files, written every ${TICK_MS} ms`);
    result.target('agent CPU, steady (% of a core)', steady.cpuPercent, 3, true);
    result.target('agent peak RSS (MB)', steady.maxRssMb, 80, true);
    result.details.setup = { files: FILES, linesPerSec: LINES_PER_SEC, tickMs: TICK_MS, firstWindow: FIRST_WINDOW, steadyWindow: STEADY_WINDOW };
    result.details.agent = { first, steady };
    result.details.tail = baseline;
    await addMultilineCase(result);
    if (cases.idle) await addIdleCase(result);
    return result.finish();
  } finally {
    for (const child of children.reverse()) await child.stop();
    temp.remove();
  }
}
