import { searchRecordSchema, type FilterSpec, type SearchRecord } from '../../../../protocol/index.js';
import { ApiError, apiStream, type ApiOptions } from './api-client.js';
import { readNdjson } from './ndjson.js';

/** One page of GET /api/search: the filter, a time range (ms since the epoch), the order and a cursor. */
export interface SearchQuery {
  filter: FilterSpec;
  from?: number | undefined;
  to?: number | undefined;
  order: 'asc' | 'desc';
  limit?: number | undefined;
  /** The `cursor` of the previous page's `done` record. */
  cursor?: string | undefined;
}

/** One GET /api/search/histogram: matching lines per `step` ms over [from, to]. */
export interface HistogramQuery {
  filter: FilterSpec;
  from: number;
  to: number;
  step: number;
}

function filterParams(filter: FilterSpec): URLSearchParams {
  const params = new URLSearchParams();
  params.set('q', filter.query);
  if (filter.exclude) params.set('exclude', filter.exclude);
  if (filter.caseInsensitive) params.set('i', '1');
  for (const host of filter.hosts ?? []) params.append('hosts', host);
  for (const file of filter.files ?? []) params.append('files', file);
  for (const namespace of filter.namespaces ?? []) params.append('namespaces', namespace);
  for (const pod of filter.pods ?? []) params.append('pods', pod);
  for (const container of filter.containers ?? []) params.append('containers', container);
  return params;
}

/** The path and query string of a histogram (the step as whole milliseconds: `10000ms`). */
export function histogramPath(query: HistogramQuery): string {
  const params = filterParams(query.filter);
  params.set('from', String(Math.floor(query.from)));
  params.set('to', String(Math.ceil(query.to)));
  params.set('step', `${Math.round(query.step)}ms`);
  return `/api/search/histogram?${params.toString()}`;
}

/** The path and query string of a search page (docs/protocol.md: times as ms since the epoch). */
export function searchPath(query: SearchQuery): string {
  const params = filterParams(query.filter);
  if (query.from !== undefined) params.set('from', String(Math.floor(query.from)));
  if (query.to !== undefined) params.set('to', String(Math.ceil(query.to)));
  params.set('order', query.order);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  return `/api/search?${params.toString()}`;
}

/**
 * The records of one search page as the hub streams them, each checked against the protocol. An
 * HTTP refusal throws ApiError before the first record; a record that is not one throws too.
 */
export async function* searchRecords(query: SearchQuery, options: ApiOptions): AsyncGenerator<SearchRecord, void, undefined> {
  const path = searchPath(query);
  const response = await apiStream(path, 'application/x-ndjson', options);
  if (!response.body) throw new ApiError(response.status, undefined, `${path} answered without a body`);
  for await (const value of readNdjson(response.body)) {
    const parsed = searchRecordSchema.safeParse(value);
    if (!parsed.success) throw new ApiError(response.status, undefined, `${path} sent an unexpected record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    yield parsed.data;
  }
}
