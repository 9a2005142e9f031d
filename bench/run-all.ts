/**
 * The benchmark suite: `npm run bench` runs every benchmark, `node dist/bench/run-all.js NAME...`
 * runs some. Each prints a table, writes bench/results/<name>-<time>.json and updates
 * bench/results/latest.json. See bench/README.md for how to read the figures.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runAgentCost } from './agent-cost.js';
import { runCatchUp } from './catch-up.js';
import { runCluster } from './cluster.js';
import { runEventTime } from './event-time.js';
import { runFanOut } from './fan-out.js';
import { runFilterEngine } from './filter-engine.js';
import { runHistory } from './history.js';
import { runHistoryCodecs } from './history-codecs.js';
import { runHostileFilters } from './hostile-filters.js';
import { runLiveLatency } from './live-latency.js';
import { runRedactionFalsePositives } from './redaction-false-positives.js';
import { runUiFirehose } from './ui-firehose.js';
import { summarizeHistory } from './lib/compare.js';
import { formatTargetTally } from './lib/compare-format.js';
import { readHistory } from './lib/result-files.js';
import { formatResult, RESULTS_DIR, saveResult, type BenchResult } from './lib/results.js';

interface Benchmark {
  name: string;
  run(): Promise<BenchResult>;
}

const BENCHMARKS: Benchmark[] = [
  { name: 'filter-engine', run: runFilterEngine },
  { name: 'catch-up', run: runCatchUp },
  { name: 'live-latency', run: runLiveLatency },
  { name: 'fan-out', run: () => runFanOut() },
  { name: 'agent-cost', run: runAgentCost },
  { name: 'cluster', run: runCluster },
  { name: 'ui-firehose', run: runUiFirehose },
  { name: 'redaction-false-positives', run: runRedactionFalsePositives },
  { name: 'hostile-filters', run: runHostileFilters },
  { name: 'event-time', run: runEventTime },
  { name: 'history-codecs', run: runHistoryCodecs },
  { name: 'history', run: runHistory },
];

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map((bench) => bench.name).join(', ')}`);
    process.exit(2);
  }
  const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => names.includes(bench.name));
  if (selected.length > 1) process.exit(runEachInItsOwnProcess(selected));
  let failed = 0;
  for (const bench of selected) {
    console.log(`-- ${bench.name} ...`);
    try {
      const result = await bench.run();
      const file = saveResult(result);
      console.log(formatResult(result));
      for (const line of recentTargets(bench.name)) console.log(line);
      console.log(`   saved ${file}\n`);
    } catch (error) {
      failed += 1;
      console.error(`${bench.name} failed:`, error);
    }
  }
  process.exit(failed > 0 ? 1 : 0);
}

/** Runs of a benchmark the tally after its result looks back over (this one included). */
const RECENT_RUNS = 10;

/**
 * How often each of the benchmark's targets was met in its recent runs (this one included, unless a
 * profiler was attached): one run on a shared 2-core machine says little about a tail latency.
 * Details: `npm run bench:compare`.
 */
function recentTargets(name: string): string[] {
  try {
    const history = summarizeHistory(readHistory(RESULTS_DIR).results, { last: RECENT_RUNS, only: [name] });
    return formatTargetTally(history);
  } catch (error) {
    return [`  (no tally of recent runs: ${(error as Error).message})`];
  }
}

/**
 * Runs each benchmark in a process of its own; returns the exit code. Some run their viewers or
 * clients in this process, which would otherwise carry the heap and the compiled code of the
 * benchmarks before them (the filter engine's million lines), so a benchmark measures the same
 * whether it runs alone or in the suite.
 */
function runEachInItsOwnProcess(selected: readonly Benchmark[]): number {
  let failed = 0;
  for (const bench of selected) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), bench.name], { stdio: 'inherit' });
    if (child.status !== 0) failed += 1;
  }
  return failed > 0 ? 1 : 0;
}

await main();
