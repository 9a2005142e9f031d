/**
 * Benchmark 2: catch-up. An agent reads a 2-million-line file from its start (`--from-start`)
 * through the hub to a filtering viewer (the real CLI processes, loopback). The figure is the time
 * from starting the agent until the viewer holds the file's last match, against `grep -c` over the
 * same file.
 */
import { appendFileSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote, timeShell } from './lib/baseline.js';
import { ERRORS_PATTERN, generateLines, joinLines } from './lib/dataset.js';
import { describeTop, OutsideCpuMeter, type OutsideCpu } from './lib/outside-cpu.js';
import { UsageSampler } from './lib/proc-usage.js';
import { startAgent, startHub, waitUntil, type Child } from './lib/processes.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { median, round } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';
import { BenchViewer } from './lib/viewer.js';

const LINES = 2_000_000;
const CHUNK_LINES = 200_000;
const TIMEOUT_MS = 100_000;
const GREP_RUNS = 3;
/** Catch-ups from scratch; the median is reported. */
const RUNS = 3;

interface CatchUpRun {
  seconds: number;
  firstMatchSeconds: number;
  received: number;
  lost: number;
  dropped: number;
  hub: ReturnType<UsageSampler['stop']>;
  agent: ReturnType<UsageSampler['stop']>;
  /** Everything outside the benchmark, from the agent's start to the last match. */
  outsideCpu: OutsideCpu;
}

/** One catch-up with a fresh hub, viewer and agent. */
async function catchUpOnce(dir: string, file: string, expected: number, run: number): Promise<CatchUpRun> {
  const children: Child[] = [];
  let viewer: BenchViewer | undefined;
  try {
    const hub = await startHub(join(dir, `hub-data-${run}`));
    children.push(hub.child);
    let firstArrival = 0;
    viewer = await new BenchViewer(hub.url, { query: ERRORS_PATTERN }, () => {
      if (firstArrival === 0) firstArrival = performance.now();
    }).ready();
    const hubUsage = new UsageSampler(hub.child.pid, 100).start();
    const outsideCpu = new OutsideCpuMeter().start();
    const startedAt = performance.now();
    const agent = startAgent({ hub: hub.wsUrl, paths: [file], stateFile: join(dir, `agent-state-${run}.json`), fromStart: true });
    children.push(agent);
    const agentUsage = new UsageSampler(agent.pid, 100).start();
    const active = viewer;
    await waitUntil(`${expected} matches (have ${active.received})`, () => active.received >= expected || !agent.running, TIMEOUT_MS, 2);
    return {
      seconds: (active.lastArrival - startedAt) / 1000,
      firstMatchSeconds: (firstArrival - startedAt) / 1000,
      received: active.received,
      lost: expected - active.received,
      dropped: active.dropped,
      hub: hubUsage.stop(),
      agent: agentUsage.stop(),
      outsideCpu: outsideCpu.stop(),
    };
  } finally {
    viewer?.close();
    for (const child of children.reverse()) await child.stop();
  }
}

export async function runCatchUp(): Promise<BenchResult> {
  const result = new ResultBuilder('catch-up');
  const temp = makeTempDir('catchup');
  try {
    const file = join(temp.dir, 'app.log');
    const chunk = joinLines(generateLines(CHUNK_LINES, 11));
    for (let written = 0; written < LINES; written += CHUNK_LINES) appendFileSync(file, chunk);
    const fd = openSync(file, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    const bytes = chunk.length * (LINES / CHUNK_LINES);

    // Baseline: grep -c over the same file, warm in the page cache like the agent's read will be.
    const grepCommand = `grep -E -c ${shellQuote(ERRORS_PATTERN)} ${shellQuote(file)}`;
    await timeShell(grepCommand, { LC_ALL: 'C' });
    const grepRuns = [];
    for (let run = 0; run < GREP_RUNS; run += 1) grepRuns.push(await timeShell(grepCommand, { LC_ALL: 'C' }));
    const expected = Number(grepRuns[0]!.stdout.trim());
    const grepSec = median(grepRuns.map((run) => run.wallSec));

    const runs: CatchUpRun[] = [];
    for (let run = 0; run < RUNS; run += 1) runs.push(await catchUpOnce(temp.dir, file, expected, run));
    const byTime = [...runs].sort((a, b) => a.seconds - b.seconds);
    const typical = byTime[Math.floor(byTime.length / 2)]!;
    const lost = Math.max(...runs.map((run) => run.lost));

    result.lowerIsBetter('time to the last match (median)', typical.seconds, 's', { name: 'grep -c', value: grepSec },
      lost === 0 ? undefined : `up to ${lost} of ${expected} matches did not arrive`);
    result.lowerIsBetter('time to the first match', typical.firstMatchSeconds, 's', undefined, 'agent start-up and connection');
    result.higherIsBetter('lines through agent, hub, viewer', LINES / typical.seconds, 'lines/s', { name: 'grep -c', value: LINES / grepSec });
    result.lowerIsBetter('hub CPU', typical.hub.cpuSeconds, 'cpu s');
    result.lowerIsBetter('agent CPU', typical.agent.cpuSeconds, 'cpu s');
    result.lowerIsBetter('hub peak RSS', Math.max(...runs.map((run) => run.hub.maxRssMb)), 'MB');
    result.lowerIsBetter('agent peak RSS', Math.max(...runs.map((run) => run.agent.maxRssMb)), 'MB');
    result.lowerIsBetter('CPU of other processes during the catch-up', typical.outsideCpu.cpuPercent, '% of a core', undefined,
      `not a figure of supergrep: kernel threads and other users while the median run lasted (${describeTop(typical.outsideCpu)})`);
    result.target('catch-up time / grep -c time', typical.seconds / grepSec, 10, true);
    result.target('matches lost', lost, 0, true);
    result.details.data = { lines: LINES, bytes, pattern: ERRORS_PATTERN, expectedMatches: expected };
    result.details.grep = { wallSec: grepRuns.map((run) => run.wallSec), cpuSec: grepRuns.map((run) => run.cpuSec) };
    result.details.runs = runs.map((run) => ({
      ...run,
      seconds: round(run.seconds, 4),
      firstMatchSeconds: round(run.firstMatchSeconds, 4),
      outsideCpu: { cpuPercent: round(run.outsideCpu.cpuPercent, 3), top: describeTop(run.outsideCpu) },
    }));
    return result.finish();
  } finally {
    temp.remove();
  }
}
