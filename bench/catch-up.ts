/**
 * Benchmark 2: catch-up. An agent reads a 2-million-line file from its start (`--from-start`)
 * through the hub to a filtering viewer (the real CLI processes, loopback). The figure is the time
 * from starting the agent until the viewer holds the file's last match, against `grep -c` over the
 * same file.
 *
 * Container logs: the same messages as CRI lines (`agent --format cri`), in runs taking turns with
 * the plain ones, reported against the plain catch-up of the same run; and, in this process, what
 * splitting and decoding the same messages as plain, CRI and Docker lines costs per line
 * (lib/container-lines.ts).
 */
import { appendFileSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote, timeShell } from './lib/baseline.js';
import { criLines, measureDecoding } from './lib/container-lines.js';
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
  /** The viewer's first match still had the CRI framing: the agent passed CRI lines through undecoded. */
  undecoded: boolean;
}

/** The median run by time, and the most matches any run lost. */
function typicalOf(runs: readonly CatchUpRun[]): { typical: CatchUpRun; lost: number } {
  const byTime = [...runs].sort((a, b) => a.seconds - b.seconds);
  return { typical: byTime[Math.floor(byTime.length / 2)]!, lost: Math.max(...runs.map((run) => run.lost)) };
}

function runDetails(run: CatchUpRun): Record<string, unknown> {
  return {
    ...run,
    seconds: round(run.seconds, 4),
    firstMatchSeconds: round(run.firstMatchSeconds, 4),
    outsideCpu: { cpuPercent: round(run.outsideCpu.cpuPercent, 3), top: describeTop(run.outsideCpu) },
  };
}

/** Lines the viewer received that still had the CRI framing (`<time> <stream> F `): the agent did not decode them. */
const UNDECODED_CRI = /^\S+ std(?:out|err) [PF] /;

/** One catch-up with a fresh hub, viewer and agent; `agentArgs` for the CRI file (`--format cri`). */
async function catchUpOnce(dir: string, file: string, expected: number, run: number, agentArgs: string[] = []): Promise<CatchUpRun> {
  const children: Child[] = [];
  let viewer: BenchViewer | undefined;
  try {
    const hub = await startHub(join(dir, `hub-data-${run}`));
    children.push(hub.child);
    let firstArrival = 0;
    let undecoded = false;
    viewer = await new BenchViewer(hub.url, { query: ERRORS_PATTERN }, (lines) => {
      if (firstArrival !== 0) return;
      firstArrival = performance.now();
      undecoded = UNDECODED_CRI.test(lines[0]?.line ?? '');
    }).ready();
    const hubUsage = new UsageSampler(hub.child.pid, 100).start();
    const outsideCpu = new OutsideCpuMeter().start();
    const startedAt = performance.now();
    const agent = startAgent({ hub: hub.wsUrl, paths: [file], stateFile: join(dir, `agent-state-${run}.json`), fromStart: true, args: agentArgs });
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
      undecoded,
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
    const messages = generateLines(CHUNK_LINES, 11);
    const chunk = joinLines(messages);
    for (let written = 0; written < LINES; written += CHUNK_LINES) appendFileSync(file, chunk);
    const fd = openSync(file, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    const bytes = chunk.length * (LINES / CHUNK_LINES);
    const criFile = join(temp.dir, 'cri.log');
    const criChunk = criLines(messages);
    for (let written = 0; written < LINES; written += CHUNK_LINES) appendFileSync(criFile, criChunk);
    const criFd = openSync(criFile, 'r+');
    fsyncSync(criFd);
    closeSync(criFd);

    // Baseline: grep -c over the same file, warm in the page cache like the agent's read will be.
    const grepCommand = `grep -E -c ${shellQuote(ERRORS_PATTERN)} ${shellQuote(file)}`;
    await timeShell(grepCommand, { LC_ALL: 'C' });
    const grepRuns = [];
    for (let run = 0; run < GREP_RUNS; run += 1) grepRuns.push(await timeShell(grepCommand, { LC_ALL: 'C' }));
    const expected = Number(grepRuns[0]!.stdout.trim());
    const grepSec = median(grepRuns.map((run) => run.wallSec));

    // Plain and CRI runs take turns, so both see the same machine.
    const runs: CatchUpRun[] = [];
    const criRuns: CatchUpRun[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      runs.push(await catchUpOnce(temp.dir, file, expected, run));
      criRuns.push(await catchUpOnce(temp.dir, criFile, expected, RUNS + run, ['--format', 'cri']));
    }
    const { typical, lost } = typicalOf(runs);
    const { typical: cri, lost: criLost } = typicalOf(criRuns);
    const decoding = measureDecoding(messages);

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
    const plainCatchUp = { name: 'plain file catch-up', value: typical.seconds };
    const criNote = [
      criLost === 0 ? undefined : `up to ${criLost} of ${expected} matches did not arrive`,
      criRuns.some((run) => run.undecoded) ? 'the agent passed the CRI lines through undecoded (no target checked)' : undefined,
    ].filter((note) => note !== undefined).join('; ');
    result.lowerIsBetter('CRI: time to the last match (median)', cri.seconds, 's', plainCatchUp, criNote === '' ? undefined : criNote);
    result.lowerIsBetter('CRI: agent CPU', cri.agent.cpuSeconds, 'cpu s', { name: 'plain file catch-up', value: typical.agent.cpuSeconds });
    const splitOnly = { name: 'LineSplitter alone, plain', value: decoding.plainSplitNs };
    const plainDecoded = { name: 'plain, decoded and copied', value: decoding.plainNs };
    result.lowerIsBetter('split, decode, copy: plain', decoding.plainNs, 'ns/line', splitOnly, 'in this process, one thread, best of 5');
    result.lowerIsBetter('split, decode, copy: CRI', decoding.criNs, 'ns/line', plainDecoded);
    result.lowerIsBetter('split, decode, copy: Docker json-file', decoding.dockerNs, 'ns/line', plainDecoded);
    result.lowerIsBetter('split, decode, copy: Docker json-file with JSON.parse', decoding.dockerParseNs, 'ns/line', plainDecoded,
      'the alternative to the hand-written scan, for comparison');
    result.target('catch-up time / grep -c time', typical.seconds / grepSec, 10, true);
    result.target('matches lost', lost, 0, true);
    // Only once the agent decodes: raw CRI lines would meet it without measuring the decoder.
    const criDecoded = !criRuns.some((run) => run.undecoded);
    if (criDecoded) result.target('CRI catch-up time / plain catch-up time', cri.seconds / typical.seconds, 1.5, true);
    result.target('CRI matches lost', criLost, 0, true);
    result.target('lines the decoders could not decode', decoding.undecodable, 0, true);
    result.details.data = { lines: LINES, bytes, criBytes: criChunk.length * (LINES / CHUNK_LINES), pattern: ERRORS_PATTERN, expectedMatches: expected };
    result.details.grep = { wallSec: grepRuns.map((run) => run.wallSec), cpuSec: grepRuns.map((run) => run.cpuSec) };
    result.details.runs = runs.map(runDetails);
    result.details.criRuns = criRuns.map(runDetails);
    result.details.decoding = decoding;
    return result.finish();
  } finally {
    temp.remove();
  }
}
