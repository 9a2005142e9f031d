import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from './stats.js';
import { systemInfo, type SystemInfo } from './system-info.js';
import { formatNumber, formatTable } from './table.js';

/** One figure of a benchmark, with the baseline it is compared with when there is one. */
export interface Figure {
  /** What was measured, e.g. "10 filters". */
  label: string;
  value: number;
  unit: string;
  /** Which way is better for this figure, for tools that compare runs. */
  better: 'higher' | 'lower';
  /** The baseline measured in the same run on the same data, e.g. "grep -E". */
  baseline?: string;
  baselineValue?: number;
  /**
   * value / baselineValue. For a throughput, above 1 means faster than the baseline; for a time,
   * latency, CPU or memory figure, above 1 means the baseline needs less.
   */
  ratio?: number;
  note?: string;
}

/** A target from the issue, checked against this run's figures. */
export interface TargetCheck {
  target: string;
  /** The figure compared with the limit. */
  value: number;
  limit: number;
  met: boolean;
}

export interface BenchResult {
  benchmark: string;
  startedAt: string;
  durationSec: number;
  system: SystemInfo & { loadAvgEnd: number[] };
  figures: Figure[];
  targets: TargetCheck[];
  /** Anything else worth keeping: settings, counts, raw samples. */
  details: Record<string, unknown>;
  /** A profiler was attached (see bench/README.md, "Profiling"): figures not comparable with other runs. */
  profiled?: true;
}

/** The variables that attach a profiler to the processes a benchmark starts, or to the browser page. */
const PROFILER_VARIABLES = ['SUPERGREP_BENCH_PROFILE', 'SUPERGREP_UI_PROFILE'];

/** The repository root: dist/bench/lib/results.js is three levels below it. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** value / baseline; none when the baseline is 0 (both 0 lost lines, say). */
function ratioOf(value: number, baseline: { value: number } | undefined): number | undefined {
  return baseline && baseline.value !== 0 ? value / baseline.value : undefined;
}

/** Collects one benchmark's figures; `finish` stamps the time and load and returns the result. */
export class ResultBuilder {
  private readonly started = performance.now();
  private readonly startedAt = new Date().toISOString();
  private readonly system = systemInfo();
  readonly figures: Figure[] = [];
  readonly targets: TargetCheck[] = [];
  readonly details: Record<string, unknown> = {};

  constructor(readonly benchmark: string) {}

  /** A figure where higher is better (throughput); ratio = value / baseline. */
  higherIsBetter(label: string, value: number, unit: string, baseline?: { name: string; value: number }, note?: string): Figure {
    return this.add({ label, value, unit, better: 'higher', baseline: baseline?.name, baselineValue: baseline?.value, ratio: ratioOf(value, baseline), note });
  }

  /** A figure where lower is better (time, latency, CPU, memory); ratio = value / baseline. */
  lowerIsBetter(label: string, value: number, unit: string, baseline?: { name: string; value: number }, note?: string): Figure {
    return this.add({ label, value, unit, better: 'lower', baseline: baseline?.name, baselineValue: baseline?.value, ratio: ratioOf(value, baseline), note });
  }

  private add(figure: Figure): Figure {
    const clean: Figure = { label: figure.label, value: round(figure.value, 4), unit: figure.unit, better: figure.better };
    if (figure.baseline !== undefined) clean.baseline = figure.baseline;
    if (figure.baselineValue !== undefined) clean.baselineValue = round(figure.baselineValue, 4);
    if (figure.ratio !== undefined) clean.ratio = round(figure.ratio, 3);
    if (figure.note !== undefined) clean.note = figure.note;
    this.figures.push(clean);
    return clean;
  }

  /** Records whether `value` is within `limit` (`atMost`: value <= limit, else value >= limit). */
  target(target: string, value: number, limit: number, atMost: boolean): void {
    this.targets.push({ target, value: round(value, 4), limit, met: atMost ? value <= limit : value >= limit });
  }

  finish(): BenchResult {
    const result: BenchResult = {
      benchmark: this.benchmark,
      startedAt: this.startedAt,
      durationSec: round((performance.now() - this.started) / 1000, 3),
      system: { ...this.system, loadAvgEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
      figures: this.figures,
      targets: this.targets,
      details: this.details,
    };
    if (PROFILER_VARIABLES.some((name) => Boolean(process.env[name]))) result.profiled = true;
    return result;
  }
}

/** Writes `bench/results/<name>-<timestamp>.json` and merges the result into `latest.json`; returns the file. */
export function saveResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = join(RESULTS_DIR, `${result.benchmark}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const latestFile = join(RESULTS_DIR, 'latest.json');
  let latest: { updatedAt?: string; results: Record<string, BenchResult> } = { results: {} };
  try {
    latest = JSON.parse(readFileSync(latestFile, 'utf8')) as typeof latest;
  } catch {
    // No summary yet (or an unreadable one): start a new one.
  }
  latest.updatedAt = new Date().toISOString();
  latest.results[result.benchmark] = result;
  writeFileSync(latestFile, `${JSON.stringify(latest, null, 2)}\n`);
  return file;
}

/** A plain-text table of a result's figures and targets. */
export function formatResult(result: BenchResult): string {
  const header = ['figure', 'value', 'unit', 'baseline', 'baseline value', 'ratio'];
  const rows = result.figures.map((figure) => [
    figure.label,
    formatNumber(figure.value),
    figure.unit,
    figure.baseline ?? '',
    formatNumber(figure.baselineValue),
    figure.ratio === undefined ? '' : `${round(figure.ratio, 3)}x`,
  ]);
  const out = [
    `== ${result.benchmark} (${result.durationSec} s; load average ${result.system.loadAvgStart.join(' ')} -> ${result.system.loadAvgEnd.join(' ')}; ${result.system.cpus} cpus)`,
    ...formatTable(header, rows),
  ];
  for (const figure of result.figures) if (figure.note) out.push(`  * ${figure.label}: ${figure.note}`);
  for (const target of result.targets) {
    out.push(`  target ${target.met ? 'MET    ' : 'NOT MET'} ${target.target}: ${target.value} (limit ${target.limit})`);
  }
  return out.join('\n');
}
