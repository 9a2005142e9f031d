import { createInterface } from 'node:readline';
import { SEARCH_LIMITS, apiErrorSchema, searchRecordSchema, type SearchDoneRecord } from '../protocol/index.js';
import { getStream } from './http-get.js';
import { escapeControls, formatDeployJson, formatDeployPlain, formatJson, formatPlain } from './tail-format.js';
import { UsageError } from './usage-error.js';

/** What to search for; times are absolute (ms since the epoch) so every page sees the same range. */
interface SearchParams {
  query: string;
  exclude?: string | undefined;
  ignoreCase?: boolean | undefined;
  hosts: readonly string[];
  files: readonly string[];
  namespaces?: readonly string[] | undefined;
  pods?: readonly string[] | undefined;
  containers?: readonly string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
  order: 'asc' | 'desc';
}

export interface SearchRun {
  /** The hub's http(s) base URL. */
  hub: URL;
  token?: string | undefined;
  ca?: Buffer | undefined;
  params: SearchParams;
  /** Most matches printed in all: pages are fetched with the cursor until then. */
  limit: number;
  json: boolean;
  color: boolean;
  stdout: NodeJS.WritableStream;
  /** Progress is drawn on it only when it is a terminal. */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal | undefined;
}

export interface SearchOutcome {
  count: number;
  /** Why the results lack lines (corrupt blocks, hubs that failed), when they do. */
  partial: string[];
}

function searchUrl(run: SearchRun, limit: number, cursor: string | undefined): URL {
  const { params } = run;
  const url = new URL('/api/search', run.hub);
  const query = url.searchParams;
  query.set('q', params.query);
  if (params.exclude) query.set('exclude', params.exclude);
  if (params.ignoreCase) query.set('i', '1');
  // Repeated, never comma-joined: a comma belongs to a glob's {a,b}.
  for (const host of params.hosts) query.append('hosts', host);
  for (const file of params.files) query.append('files', file);
  for (const namespace of params.namespaces ?? []) query.append('namespaces', namespace);
  for (const pod of params.pods ?? []) query.append('pods', pod);
  for (const container of params.containers ?? []) query.append('containers', container);
  if (params.from !== undefined) query.set('from', new Date(params.from).toISOString());
  if (params.to !== undefined) query.set('to', new Date(params.to).toISOString());
  query.set('order', params.order);
  query.set('limit', String(limit));
  if (cursor !== undefined) query.set('cursor', cursor);
  return url;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** Reads the JSON error of a refused request; a 400 is the user's to fix (exit 2). */
async function refusal(status: number, body: AsyncIterable<Buffer>): Promise<Error> {
  let text = '';
  for await (const chunk of body) if (text.length < 64 * 1024) text += chunk.toString('utf8');
  let message = `the hub answered ${status}`;
  try {
    const parsed = apiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) message = `${escapeControls(parsed.data.error.message)} (${parsed.data.error.code})`;
  } catch {
    if (text !== '') message += `: ${escapeControls(text.slice(0, 200))}`;
  }
  return status === 400 ? new UsageError(message) : new Error(message);
}

/**
 * Runs a search on the hub and prints each match as it streams in (the format of `tail`), page
 * after page with the cursor, until `limit` matches or the end of the results.
 */
export async function runHubSearch(run: SearchRun): Promise<SearchOutcome> {
  const progress = new ProgressLine(run.stderr);
  const headers: Record<string, string> = run.token ? { authorization: `Bearer ${run.token}` } : {};
  const failures = new Set<string>();
  let corruptBlocks = 0;
  let unexplained = false;
  let count = 0;
  let cursor: string | undefined;
  try {
    do {
      const page = Math.min(run.limit - count, SEARCH_LIMITS.maxLimit);
      const res = await getStream(searchUrl(run, page, cursor), { headers, ca: run.ca, signal: run.signal });
      if (res.statusCode !== 200) throw await refusal(res.statusCode ?? 0, res);
      let done: SearchDoneRecord | undefined;
      for await (const text of createInterface({ input: res, crlfDelay: Infinity })) {
        if (text === '') continue;
        const parsed = searchRecordSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error('the hub sent a search record this client does not understand; are both the same version?');
        const record = parsed.data;
        if (record.type === 'match') {
          progress.clear();
          run.stdout.write(`${run.json ? formatJson(record.line) : formatPlain(record.line, run.color)}\n`);
          count += 1;
        } else if (record.type === 'deploy') {
          progress.clear();
          run.stdout.write(`${run.json ? formatDeployJson(record.deploy) : formatDeployPlain(record.deploy, run.color)}\n`);
        } else if (record.type === 'progress') {
          progress.draw(`supergrep search: scanned ${megabytes(record.scannedBytes)} of ${megabytes(record.totalBytes)}${record.totalBytes > 0 ? ` (${Math.floor((100 * record.scannedBytes) / record.totalBytes)}%)` : ''}`);
        } else if (record.type === 'error') {
          throw new Error(`the search failed on the hub: ${escapeControls(record.message)} (${escapeControls(record.code)})`);
        } else {
          done = record;
        }
      }
      if (done === undefined) throw new Error('the hub ended the search before it was done');
      // Each page scans on from the cursor, so the same damaged block may be counted again.
      corruptBlocks = Math.max(corruptBlocks, done.corruptBlocks ?? 0);
      for (const failure of done.failures ?? []) failures.add(`hub ${escapeControls(failure.hubId)} did not answer: ${escapeControls(failure.reason)}`);
      if (done.partial && !done.corruptBlocks && !done.failures?.length) unexplained = true;
      cursor = done.cursor;
    } while (cursor !== undefined && count < run.limit);
  } finally {
    progress.clear();
  }
  const partial = [...failures];
  if (corruptBlocks > 0) partial.push(`${corruptBlocks} damaged blocks of history could not be read`);
  if (unexplained) partial.push('the hub says some lines are missing');
  return { count, partial };
}

/** One status line on a terminal, rewritten in place; nothing at all on a pipe or a file. */
class ProgressLine {
  private live = false;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }) {}

  draw(text: string): void {
    if (this.stream.isTTY !== true) return;
    this.stream.write(`\r\u001b[2K${text}`);
    this.live = true;
  }

  clear(): void {
    if (this.live) this.stream.write('\r\u001b[2K');
    this.live = false;
  }
}
