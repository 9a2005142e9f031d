/**
 * Benchmark 5: agent cost. One `supergrep agent` follows 20 files (a glob) that a writer process
 * appends to at 10,000 lines/s in total (every 10 ms, 5 lines to each file), sending to a real hub.
 * Figures: the agent's CPU and RSS over 10 s, after 3 s of warm-up. Baseline: `tail -F` following
 * the same 20 files under the same writer (it only prints the lines, so it is a floor, not a peer).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS_PATTERN } from './lib/dataset.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startAgent, startChild, startHub, startWorker, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { makeTempDir } from './lib/temp-dir.js';

const FILES = 20;
const LINES_PER_SEC = 10_000;
const TICK_MS = 10;
const WARMUP_MS = 3_000;
const MEASURE_MS = 10_000;

interface Usage {
  cpuPercent: number;
  maxRssMb: number;
  linesPerSec: number;
}

/** Runs the writer for warm-up + measurement and samples `pid` over the measurement. */
async function underWriter(files: string[], pid: number, linesTaken?: () => Promise<number>): Promise<Usage> {
  const writer = startWorker('writer', 'line-writer.js', { files, linesPerSec: LINES_PER_SEC, durationMs: WARMUP_MS + MEASURE_MS + 1_000, tickMs: TICK_MS, probe: ERRORS_PATTERN });
  try {
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const before = linesTaken ? await linesTaken() : 0;
    const usage = new UsageSampler(pid, 250).start();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const stats = usage.stop();
    const after = linesTaken ? await linesTaken() : 0;
    return { cpuPercent: stats.cpuPercent, maxRssMb: stats.maxRssMb, linesPerSec: (after - before) / stats.seconds };
  } finally {
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

export async function runAgentCost(): Promise<BenchResult> {
  const result = new ResultBuilder('agent-cost');
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
    const ours = await underWriter(files, agent.pid, () => hubLines(hub.url));
    await agent.stop();
    await hub.child.stop();

    // Baseline: tail -F on the same files; it reads and prints every line, to /dev/null.
    const tail = startChild('tail', 'tail', ['-F', '-q', '-n', '0', ...files], { keepLines: false, stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(tail);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const baseline = await underWriter(files, tail.pid);
    await tail.stop();

    result.lowerIsBetter('agent CPU', ours.cpuPercent, '% of a core', { name: 'tail -F', value: baseline.cpuPercent });
    result.lowerIsBetter('agent peak RSS', ours.maxRssMb, 'MB', { name: 'tail -F', value: baseline.maxRssMb });
    result.higherIsBetter('lines taken in by the hub', ours.linesPerSec, 'lines/s', undefined, `${FILES} files, written every ${TICK_MS} ms`);
    result.target('agent CPU (% of a core)', ours.cpuPercent, 3, true);
    result.target('agent peak RSS (MB)', ours.maxRssMb, 80, true);
    result.details.setup = { files: FILES, linesPerSec: LINES_PER_SEC, tickMs: TICK_MS, measureMs: MEASURE_MS };
    result.details.agent = ours;
    result.details.tail = baseline;
    return result.finish();
  } finally {
    for (const child of children.reverse()) await child.stop();
    temp.remove();
  }
}
