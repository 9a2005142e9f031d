import { z } from 'zod';
import { SEARCH_LIMITS, filterSpecSchema, parseStep, parseTimeBound, searchCursorSchema, type FilterSpec } from '../../../protocol/index.js';
import { ApiFailure } from '../../api/api-failure.js';
import { parseBody } from '../../api/validate-body.js';
import { compileFilter } from '../../filter/filter-compiler.js';
import type { HistogramRequest } from './histogram.js';
import { bucketCount } from './histogram.js';
import { decodeCursor } from './line-key.js';
import type { SearchRequest } from './search-executor.js';

/** A parameter given once is a string, repeated an array; globs are repeated, never comma-separated (`{a,b}` is a glob). */
const repeatable = z.union([z.string(), z.array(z.string())]).transform((value) => (typeof value === 'string' ? [value] : value));
const flag = z.enum(['1', 'true', '0', 'false']).transform((value) => value === '1' || value === 'true');

const commonSchema = z.object({
  q: z.string().default(''),
  exclude: z.string().optional(),
  i: flag.optional(),
  hosts: repeatable.optional(),
  files: repeatable.optional(),
  namespaces: repeatable.optional(),
  pods: repeatable.optional(),
  containers: repeatable.optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});

const searchQuerySchema = commonSchema.extend({
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z
    .string()
    .regex(/^\d{1,9}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(SEARCH_LIMITS.maxLimit))
    .optional(),
  cursor: searchCursorSchema.optional(),
});

const histogramQuerySchema = commonSchema.extend({ step: z.string().optional() });

/** Histogram defaults: the last hour, in about this many buckets. */
const DEFAULT_HISTOGRAM_RANGE = '1h';
const DEFAULT_BUCKETS = 100;
/** Steps a histogram without `step` picks from: the smallest giving at most DEFAULT_BUCKETS buckets. */
const ROUND_STEPS_MS = [1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800].map((s) => s * 1_000);

function badRequest(message: string): ApiFailure {
  return new ApiFailure(400, 'SG_ERR_BAD_REQUEST', message);
}

function timeBound(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = parseTimeBound(text, now);
  if (ms === undefined) throw badRequest(`${name}: ${JSON.stringify(text)} is not a time: expected an ISO 8601 time, milliseconds since the epoch, a duration before now such as 15m, 2h or 7d, or now`);
  return ms;
}

/** Compiles the filter as a live one is compiled: same checks, same errors (SG_ERR_BAD_REGEX, SG_ERR_TOO_EXPENSIVE). */
function filterOf(query: z.output<typeof commonSchema>) {
  const spec: FilterSpec = { query: query.q };
  if (query.exclude) spec.exclude = query.exclude;
  if (query.i) spec.caseInsensitive = true;
  if (query.hosts?.length) spec.hosts = query.hosts;
  if (query.files?.length) spec.files = query.files;
  if (query.namespaces?.length) spec.namespaces = query.namespaces;
  if (query.pods?.length) spec.pods = query.pods;
  if (query.containers?.length) spec.containers = query.containers;
  return compileFilter(parseBody(filterSpecSchema, spec));
}

function range(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw badRequest(`from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`);
}

/** GET /api/search's query string as a search; throws a 400 ApiFailure (or FilterError) naming what is wrong. */
export function parseSearchQuery(raw: unknown, now: number): SearchRequest {
  const query = parseBody(searchQuerySchema, raw);
  const from = timeBound('from', query.from, now);
  const to = timeBound('to', query.to, now);
  range(from, to);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && cursor === undefined) throw badRequest('cursor: not a cursor this hub gave; pass back the cursor of the last done record as it was');
  return { filter: filterOf(query), window: { from, to }, order: query.order, limit: query.limit ?? SEARCH_LIMITS.defaultLimit, cursor };
}

/** GET /api/search/histogram's query string; `from` defaults to an hour ago, `to` to now, `step` to a round width. */
export function parseHistogramQuery(raw: unknown, now: number): HistogramRequest {
  const query = parseBody(histogramQuerySchema, raw);
  const from = timeBound('from', query.from ?? DEFAULT_HISTOGRAM_RANGE, now)!;
  const to = timeBound('to', query.to, now) ?? now;
  range(from, to);
  let step: number;
  if (query.step === undefined || query.step === '') {
    step = ROUND_STEPS_MS.find((candidate) => bucketCount(from, to, candidate) <= DEFAULT_BUCKETS) ?? ROUND_STEPS_MS[ROUND_STEPS_MS.length - 1]!;
  } else {
    const parsed = parseStep(query.step);
    if (parsed === undefined) throw badRequest(`step: ${JSON.stringify(query.step)} is not a bucket width: expected e.g. 10s, 1m, 1h`);
    step = parsed;
  }
  const count = bucketCount(from, to, step);
  if (count > SEARCH_LIMITS.maxHistogramBuckets) {
    throw new ApiFailure(400, 'SG_ERR_LIMIT', `step ${query.step ?? `${step}ms`} makes ${count} buckets from ${new Date(from).toISOString()} to ${new Date(to).toISOString()}; the hub makes at most ${SEARCH_LIMITS.maxHistogramBuckets}: use a larger step or a shorter range`);
  }
  return { filter: filterOf(query), from, to, step };
}
