/**
 * Benchmark 1: the filter engine alone, in this process. Lines per second per core (CPU time of this
 * process) for 1, 10 and 100 distinct filters over realistic log lines, about 1% of which match at
 * least one filter, against GNU `grep -E -c` with the same patterns on the same data.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FilterSpec } from '../protocol/index.js';
import { matchFilterInBatch } from '../server/filter/batch-matcher.js';
import type { BatchRef, SourceRef } from '../server/filter/batch-lines.js';
import { FilterEngine } from '../server/filter/filter-engine.js';
import { timeShell, shellQuote } from './lib/baseline.js';
import { chooseFilters, generateLines, joinLines } from './lib/dataset.js';
import { ResultBuilder, type BenchResult } from './lib/results.js';
import { median } from './lib/stats.js';
import { makeTempDir } from './lib/temp-dir.js';

/** Lines matched per run; 1,000,000 lines of about 120 bytes are some 120 MB. */
const LINES = 1_000_000;
/** Agents send batches of up to 512 KiB (batchMaxBytes); catching up, most batches are that large. */
const BATCH_BYTES = 512 * 1024;
const RUNS = 3;
/** A run of a slow configuration stops after this much CPU time; its rate is taken over what it did. */
const MAX_RUN_CPU_SEC = 6;

const SOURCE: SourceRef = { host: 'web-1', file: '/var/log/app.log', idPrefix: 'bench-1-' };

function toBatches(lines: readonly string[]): BatchRef[] {
  const batches: BatchRef[] = [];
  let current: string[] = [];
  let bytes = 0;
  let pos = 0;
  const flush = () => {
    const body = joinLines(current);
    batches.push({ body, firstPos: pos, ts: 0, truncated: undefined });
    pos += body.length;
    current = [];
    bytes = 0;
  };
  for (const line of lines) {
    current.push(line);
    bytes += Buffer.byteLength(line) + 1;
    if (bytes >= BATCH_BYTES) flush();
  }
  if (current.length > 0) flush();
  return batches;
}

function countLines(batch: BatchRef): number {
  let count = 0;
  for (let at = batch.body.indexOf(10); at >= 0; at = batch.body.indexOf(10, at + 1)) count += 1;
  return count;
}

type Matcher = (batch: BatchRef) => number;

/** Lines per CPU second of one run of `match` over the batches, stopping after MAX_RUN_CPU_SEC. */
function runOnce(batches: readonly BatchRef[], lineCounts: readonly number[], match: Matcher): number {
  const start = process.cpuUsage();
  let lines = 0;
  for (let i = 0; i < batches.length; i += 1) {
    match(batches[i]!);
    lines += lineCounts[i]!;
    if (i % 8 === 7) {
      const used = process.cpuUsage(start);
      if ((used.user + used.system) / 1e6 > MAX_RUN_CPU_SEC) break;
    }
  }
  const used = process.cpuUsage(start);
  return lines / ((used.user + used.system) / 1e6);
}

/**
 * Median lines per CPU second of each matcher: one warm-up run each (RE2 builds its DFA states and
 * V8 compiles the code on first use), then RUNS runs taking turns, so that a burst of load from
 * elsewhere on the machine does not land on one matcher only.
 */
function measure(batches: readonly BatchRef[], lineCounts: readonly number[], matchers: readonly Matcher[]): number[] {
  for (const match of matchers) runOnce(batches, lineCounts, match);
  const rates: number[][] = matchers.map(() => []);
  for (let run = 0; run < RUNS; run += 1) {
    matchers.forEach((match, index) => rates[index]!.push(runOnce(batches, lineCounts, match)));
  }
  return rates.map(median);
}

/** Distinct lines matched by at least one filter, and (filter, line) matches: to check against grep. */
function unionCount(engine: FilterEngine, batches: readonly BatchRef[]): { lines: number; matches: number } {
  const ids = new Set<string>();
  let matches = 0;
  for (const batch of batches) {
    for (const result of engine.matchBatch(SOURCE, batch)) {
      matches += result.lines.length;
      for (const line of result.lines) ids.add(line.id);
    }
  }
  return { lines: ids.size, matches };
}

export async function runFilterEngine(): Promise<BenchResult> {
  const result = new ResultBuilder('filter-engine');
  const temp = makeTempDir('engine');
  try {
    const lines = generateLines(LINES, 1);
    const sample = lines.slice(0, 100_000);
    const batches = toBatches(lines);
    const lineCounts = batches.map(countLines);
    const dataFile = join(temp.dir, 'data.log');
    writeFileSync(dataFile, joinLines(lines));
    const bytes = batches.reduce((sum, batch) => sum + batch.body.length, 0);
    result.details.data = { lines: LINES, bytes, batches: batches.length, batchBytes: BATCH_BYTES, avgLineBytes: bytes / LINES };

    const rates = new Map<number, number>();
    const grepRates = new Map<number, number>();
    for (const count of [1, 10, 100]) {
      const { patterns, unionShare } = chooseFilters(sample, count);
      const patternFile = join(temp.dir, `patterns-${count}.txt`);
      writeFileSync(patternFile, `${patterns.join('\n')}\n`);

      // GNU grep -E with every pattern at once (-f), counting matching lines; LC_ALL=C is its fastest mode.
      const grepRuns = [];
      await timeShell(`grep -E -c -f ${shellQuote(patternFile)} ${shellQuote(dataFile)}`, { LC_ALL: 'C' });
      for (let run = 0; run < RUNS; run += 1) {
        grepRuns.push(await timeShell(`grep -E -c -f ${shellQuote(patternFile)} ${shellQuote(dataFile)}`, { LC_ALL: 'C' }));
      }
      const grepCount = Number(grepRuns[0]!.stdout.trim());
      const grepRate = LINES / median(grepRuns.map((run) => run.cpuSec));
      grepRates.set(count, grepRate);

      const engine = new FilterEngine();
      const filters = patterns.map((query) => engine.acquire({ query } satisfies FilterSpec));
      // The engine, and the straightforward evaluation it replaced: each filter on its own, one pass
      // over the batch per filter.
      const [engineRate, aloneRate] = measure(batches, lineCounts, [
        (batch) => engine.matchBatch(SOURCE, batch).length,
        (batch) => {
          for (const filter of filters) matchFilterInBatch(filter, SOURCE, batch, []);
          return 0;
        },
      ]) as [number, number];
      rates.set(count, engineRate);
      const union = unionCount(engine, batches);

      const label = `${count} filter${count === 1 ? '' : 's'}`;
      result.higherIsBetter(`${label}: filter engine`, engineRate, 'lines/s/core', { name: 'grep -E -f', value: grepRate },
        union.lines === grepCount ? undefined : `matched ${union.lines} distinct lines, grep -c counted ${grepCount}`);
      result.higherIsBetter(`${label}: each filter alone, one pass each`, aloneRate, 'lines/s/core', { name: 'grep -E -f', value: grepRate });
      result.details[label] = {
        patterns,
        unionShare,
        matchedLines: union.lines,
        filterMatches: union.matches,
        grepCount,
        grepCpuSec: grepRuns.map((run) => run.cpuSec),
        grepWallSec: grepRuns.map((run) => run.wallSec),
      };
      for (const filter of filters) engine.release(filter);
    }

    // Identical filters from different subscribers share one evaluation: 10 distinct filters held by
    // 10 subscribers each cost what 10 filters cost.
    {
      const { patterns } = chooseFilters(sample, 10);
      const engine = new FilterEngine();
      for (let subscriber = 0; subscriber < 10; subscriber += 1) for (const query of patterns) engine.acquire({ query });
      const [shared] = measure(batches, lineCounts, [(batch) => engine.matchBatch(SOURCE, batch).length]) as [number];
      result.higherIsBetter('10 filters x 10 subscribers each', shared, 'lines/s/core', { name: '10 filters, 1 subscriber', value: rates.get(10)! },
        `${engine.size} filters evaluated for 100 subscriptions`);
      result.details.sharedFilters = { subscriptions: 100, distinctFilters: engine.size };
    }

    const rate10 = rates.get(10)!;
    const rate100 = rates.get(100)!;
    result.lowerIsBetter('cost of 100 filters vs 10', rate10 / rate100, 'x', { name: 'grep -E, 100 vs 10', value: grepRates.get(10)! / grepRates.get(100)! });
    result.target('10 filters: share of grep -E throughput', rate10 / grepRates.get(10)!, 0.25, false);
    result.target('10 -> 100 filters: cost multiplier', rate10 / rate100, 2, true);
    return result.finish();
  } finally {
    temp.remove();
  }
}
