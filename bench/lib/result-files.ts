import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What the comparison tools read of a result file. Files are written by saveResult, but they stay
 * on disk across versions of the suite and may be edited or cut short, so each one is checked
 * before its figures are trusted. Fields the tools do not use (details, baselines, notes) are left out.
 */
const figureSchema = z.object({
  label: z.string(),
  value: z.number(),
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
});

const targetSchema = z.object({
  target: z.string(),
  value: z.number(),
  limit: z.number(),
  met: z.boolean(),
});

const resultSchema = z.object({
  benchmark: z.string().min(1),
  startedAt: z.iso.datetime(),
  system: z.object({ loadAvgStart: z.array(z.number()), loadAvgEnd: z.array(z.number()).optional() }),
  figures: z.array(figureSchema),
  targets: z.array(targetSchema).default([]),
  profiled: z.literal(true).optional(),
});

/** The part of a BenchResult (results.ts) that runs are compared by. */
export type RecordedResult = z.infer<typeof resultSchema>;

/** bench/results/latest.json: the latest result of each benchmark. */
const summarySchema = z.object({
  results: z.record(z.string(), resultSchema),
});

/**
 * Results held in a JSON text: one benchmark's result (`<name>-<time>.json`) or a summary of
 * several (`latest.json`). Throws with the first problem found, naming `source`.
 */
export function parseResults(text: string, source: string): RecordedResult[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const summary = summarySchema.safeParse(json);
  if (summary.success) return Object.values(summary.data.results);
  const single = resultSchema.safeParse(json);
  if (single.success) return [single.data];
  const issue = single.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new Error(`${source}: not a benchmark result or summary (${issue?.message ?? 'unknown shape'}${where})`);
}

export function readResults(file: string): RecordedResult[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseResults(text, file);
}

export interface ResultHistory {
  /** Every readable result, oldest first. */
  results: RecordedResult[];
  /** Files that could not be used, each with why. */
  skipped: string[];
}

/**
 * Every per-run result file in `dir` (not latest.json, which repeats them), oldest first. A file
 * that cannot be read or parsed is reported in `skipped` rather than stopping the others.
 */
export function readHistory(dir: string): ResultHistory {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'latest.json');
  } catch (error) {
    throw new Error(`cannot list ${dir}: ${(error as Error).message}`, { cause: error });
  }
  const results: RecordedResult[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    try {
      results.push(...readResults(join(dir, name)));
    } catch (error) {
      skipped.push((error as Error).message);
    }
  }
  results.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return { results, skipped };
}
