import { z } from 'zod';
import { matchedLineSchema } from '../shared/matched-line.js';
import { deploySchema } from './deploy.js';

/**
 * How many results one search page may ask for, and how many it gets by default; how many
 * searches (and histograms) may run at once on one hub, and for one viewer.
 */
export const SEARCH_LIMITS = { defaultLimit: 1_000, maxLimit: 10_000, maxHistogramBuckets: 1_000, maxConcurrentPerHub: 4, maxConcurrentPerViewer: 2 } as const;

/**
 * A time bound as a query string gives it: an ISO 8601 time, milliseconds since the epoch, a
 * duration before now (`15m`, `2h`, `7d`, `30s`), or `now`. Returns milliseconds since the epoch,
 * or undefined when `text` is none of these.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const duration = /^(\d{1,9})(ms|s|m|h|d|w)$/.exec(trimmed);
  if (duration) return now - Number(duration[1]) * DURATION_UNITS_MS[duration[2] as keyof typeof DURATION_UNITS_MS];
  if (/^\d{10,16}$/.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const parsed = Date.parse(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Parses a bucket width such as `10s`, `1m`, `1h`; undefined when it is not one. */
export function parseStep(text: string): number | undefined {
  const match = /^(\d{1,9})(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  return ms > 0 ? ms : undefined;
}

/**
 * A search cursor is opaque to clients: pass back the `cursor` of the last `done` record to get
 * the next page. It names the last line returned on each hub, so no line is skipped or repeated.
 */
export const searchCursorSchema = z.string().max(16 * 1024);

/** One matching line from history: the fields of a live match, plus where it came from. */
const searchMatchRecordSchema = z.object({
  type: z.literal('match'),
  line: matchedLineSchema,
});
export type SearchMatchRecord = z.infer<typeof searchMatchRecordSchema>;

/**
 * A deploy marker within the searched time, placed among the matches in the page's order: before
 * the first match at or after its start (ascending), after the last one (descending).
 */
const searchDeployRecordSchema = z.object({
  type: z.literal('deploy'),
  deploy: deploySchema,
});

/** How far the scan has got: stored (uncompressed) bytes scanned of the total the query selects. */
const searchProgressRecordSchema = z.object({
  type: z.literal('progress'),
  scannedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});
export type SearchProgressRecord = z.infer<typeof searchProgressRecordSchema>;

/** A hub of the cluster that did not answer, or answered with an error: the results lack its lines. */
const searchHubFailureSchema = z.object({ hubId: z.string(), reason: z.string() });
export type SearchHubFailure = z.infer<typeof searchHubFailureSchema>;

/** The last record of a search stream. */
const searchDoneRecordSchema = z.object({
  type: z.literal('done'),
  /** Matches returned in this page. */
  count: z.number().int().nonnegative(),
  /** Present when more matches may follow: pass it as `cursor` to continue. */
  cursor: searchCursorSchema.optional(),
  /** True when some hub's lines are missing (see `failures`) or some stored blocks could not be read. */
  partial: z.boolean(),
  failures: z.array(searchHubFailureSchema).optional(),
  /** Stored blocks skipped because they were corrupt. */
  corruptBlocks: z.number().int().nonnegative().optional(),
});
export type SearchDoneRecord = z.infer<typeof searchDoneRecordSchema>;

/** An error after the stream started (the HTTP status was already sent). */
const searchErrorRecordSchema = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});
export type SearchErrorRecord = z.infer<typeof searchErrorRecordSchema>;

/** One line of the NDJSON that GET /api/search streams. */
export const searchRecordSchema = z.discriminatedUnion('type', [
  searchMatchRecordSchema,
  searchDeployRecordSchema,
  searchProgressRecordSchema,
  searchDoneRecordSchema,
  searchErrorRecordSchema,
]);
export type SearchRecord = z.infer<typeof searchRecordSchema>;

/** Answer to GET /api/search/histogram: matching lines per bucket, oldest bucket first. */
export const histogramSchema = z.object({
  from: z.number(),
  to: z.number(),
  step: z.number().positive(),
  buckets: z.array(z.object({ ts: z.number(), count: z.number().int().nonnegative() })),
  partial: z.boolean(),
  failures: z.array(searchHubFailureSchema).optional(),
});
export type Histogram = z.infer<typeof histogramSchema>;
