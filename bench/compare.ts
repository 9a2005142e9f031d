/**
 * Compares benchmark runs, from the JSON files the suite writes (see bench/README.md):
 *
 *   node dist/bench/compare.js runs BEFORE.json [AFTER.json]   one run against another
 *   node dist/bench/compare.js history [NAME...] [--last 10] [--since TIME]
 *                                                 how often each target was met, and each spread
 *
 * `runs` takes result files or latest.json summaries (AFTER defaults to bench/results/latest.json),
 * so a summary copied aside before a change can be compared with the runs after it.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { compareRuns, regressions, summarizeHistory } from './lib/compare.js';
import { formatComparison, formatHistory } from './lib/compare-format.js';
import { readHistory, readResults } from './lib/result-files.js';
import { RESULTS_DIR } from './lib/results.js';

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
}

function sinceTime(value: string): number {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError('expected a time such as 2026-11-27T18:00Z');
  return parsed;
}

const program = new Command('compare')
  .description('compare benchmark runs from bench/results')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('runs')
  .description('figure by figure, the newest run of each benchmark in BEFORE against the newest in AFTER')
  .argument('<before>', 'a result file or a latest.json summary')
  .argument('[after]', 'a result file or a summary', join(RESULTS_DIR, 'latest.json'))
  .option('--threshold <percent>', 'changes smaller than this are shown without a verdict', positiveNumber, 10)
  .option('--fail-on-regression', 'exit 1 when a target is no longer met or a figure got worse beyond the threshold')
  .action((before: string, after: string, options: { threshold: number; failOnRegression?: boolean }) => {
    const comparison = compareRuns(readResults(before), readResults(after), options.threshold);
    for (const line of formatComparison(comparison)) console.log(line);
    const found = regressions(comparison);
    for (const regression of found) console.log(`regression: ${regression}`);
    if (options.failOnRegression && found.length > 0) process.exitCode = 1;
  });

program
  .command('history')
  .description('for the last runs of each benchmark: how many met each target, and the spread of each figure')
  .argument('[benchmarks...]', 'only these benchmarks (default: all)')
  .option('--last <runs>', 'runs per benchmark', positiveInteger, 10)
  .option('--figures', 'also the spread of every figure')
  .option('--since <time>', 'only runs started at or after this time (ISO 8601, e.g. 2026-11-27T18:00Z)', sinceTime)
  .option('--dir <dir>', 'where the result files are', RESULTS_DIR)
  .action((benchmarks: string[], options: { last: number; since?: number; figures?: boolean; dir: string }) => {
    const { results, skipped } = readHistory(options.dir);
    for (const reason of skipped) console.error(`skipped ${reason}`);
    const history = summarizeHistory(results, { last: options.last, only: benchmarks, sinceMs: options.since });
    if (history.spans.length === 0) {
      console.error(`no results${benchmarks.length > 0 ? ` of ${benchmarks.join(', ')}` : ''} in ${options.dir}; run \`npm run bench\` first`);
      process.exitCode = 2;
      return;
    }
    for (const line of formatHistory(history, options.figures === true)) console.log(line);
  });

try {
  program.parse();
} catch (error) {
  console.error(`compare: ${(error as Error).message}`);
  process.exit(2);
}
