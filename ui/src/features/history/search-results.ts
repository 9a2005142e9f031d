import type { Deploy, FilterSpec, MatchedLine, SearchHubFailure, SearchRecord } from '../../../../protocol/index.js';
import type { SearchQuery } from '../../lib/api/search-api.js';
import { ValueStore } from '../../lib/store.js';
import type { SearchFn } from './older-lines.js';
import { seamLines } from './seam.js';

/** Lines asked for per page of results ("Load more" asks for the next). */
const RESULTS_PAGE_LINES = 500;
/** Lines asked for before the time a "Jump to time" names (the rest follow it, oldest first). */
const JUMP_BEFORE_LINES = 50;
/** Longest a batch of streamed lines waits before it is shown. */
const COMMIT_EVERY_MS = 100;

/** What a results view searches: the pane's filter over a time range, in one order, or around a time. */
export interface ResultsRequest {
  filter: FilterSpec;
  from: number;
  to: number;
  order: 'asc' | 'desc';
  label: string;
  /** "Jump to time": the lines before this time, then those from it on (order is then 'asc'). */
  around?: number | undefined;
}

export interface ResultsState {
  request: ResultsRequest | undefined;
  /** In display order; the array grows in place: `count` and `version` say how much is shown. */
  lines: readonly MatchedLine[];
  count: number;
  /** Deploy markers history placed among the lines: each before the line at `at` (at === count: after the last). */
  deploys: readonly PlacedDeploy[];
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  scannedBytes: number;
  totalBytes: number;
  /** Set when more matches may follow ("Load more"). */
  cursor: string | undefined;
  partial: boolean;
  failures: readonly SearchHubFailure[];
  corruptBlocks: number;
  error: string | undefined;
  version: number;
}

/** A deploy divider among results, before the line at index `at`. */
export interface PlacedDeploy {
  deploy: Deploy;
  at: number;
}

const IDLE: ResultsState = {
  request: undefined,
  lines: [],
  count: 0,
  deploys: [],
  status: 'idle',
  scannedBytes: 0,
  totalBytes: 0,
  cursor: undefined,
  partial: false,
  failures: [],
  corruptBlocks: 0,
  error: undefined,
  version: 0,
};

/**
 * A search over history shown as it streams: matches in arrival order, progress, a cancel (abort),
 * "Load more" following the cursor, partial results and errors said plainly. Lines are deduped by
 * id across pages, so a page boundary never shows a line twice.
 */
export class SearchResults extends ValueStore<ResultsState> {
  private controller: AbortController | undefined;
  private lines: MatchedLine[] = [];
  private deploys: PlacedDeploy[] = [];
  private readonly ids = new Set<string>();

  constructor(
    private readonly search: SearchFn,
    private readonly now: () => number = Date.now,
    private readonly pageLines = RESULTS_PAGE_LINES,
  ) {
    super(IDLE);
  }

  /** Starts a new search, cancelling any running one and forgetting its results. */
  start(request: ResultsRequest): Promise<void> {
    this.controller?.abort();
    this.lines = [];
    this.deploys = [];
    this.ids.clear();
    this.set({ ...IDLE, request, lines: this.lines, status: 'running', version: this.getSnapshot().version + 1 });
    return this.run(request, undefined);
  }

  /** The next page after the cursor of the last one. */
  loadMore(): Promise<void> {
    const { request, cursor, status } = this.getSnapshot();
    if (!request || cursor === undefined || status === 'running') return Promise.resolve();
    this.commit({ status: 'running', cursor: undefined, error: undefined });
    return this.run(request, cursor);
  }

  cancel(): void {
    if (this.getSnapshot().status !== 'running') return;
    this.controller?.abort();
    this.controller = undefined;
    this.commit({ status: 'cancelled' });
  }

  /** Back to Live: forgets the results. */
  clear(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.lines = [];
    this.deploys = [];
    this.ids.clear();
    this.set({ ...IDLE, lines: this.lines, version: this.getSnapshot().version + 1 });
  }

  private async run(request: ResultsRequest, cursor: string | undefined): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    try {
      if (request.around !== undefined && cursor === undefined) {
        // The lines just before the time, shown above it oldest first.
        const before: MatchedLine[] = [];
        const query = { filter: request.filter, order: 'desc' as const, from: request.from, to: request.around, limit: JUMP_BEFORE_LINES };
        await this.page(query, signal, (line) => before.push(line), false);
        if (signal.aborted) return;
        this.add(before.reverse());
        this.commit({});
      }
      const from = request.around ?? request.from;
      await this.page({ filter: request.filter, order: request.order, from, to: request.to, limit: this.pageLines, cursor }, signal, undefined, true);
    } catch (error) {
      if (signal.aborted) return;
      this.commit({ status: 'error', error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  /** Streams one page: lines to `collect`, or straight into the results (committed in batches). */
  private async page(query: SearchQuery, signal: AbortSignal, collect: ((line: MatchedLine) => void) | undefined, last: boolean): Promise<void> {
    let lastCommit = this.now();
    let done = false;
    for await (const record of this.search(query, signal)) {
      if (signal.aborted) return;
      switch (record.type) {
        case 'match':
          if (collect) collect(record.line);
          else this.add([record.line]);
          break;
        case 'deploy':
          // In the results' order, before the next line; the lines before a jump's time are collected apart, without dividers.
          if (!collect && !this.ids.has(`deploy ${record.deploy.id}`)) {
            this.ids.add(`deploy ${record.deploy.id}`);
            this.deploys.push({ deploy: record.deploy, at: this.lines.length });
          }
          break;
        case 'progress':
          this.set({ ...this.getSnapshot(), scannedBytes: record.scannedBytes, totalBytes: record.totalBytes });
          break;
        case 'error':
          throw new Error(`${record.code}: ${record.message}`);
        case 'done':
          done = true;
          this.mergeDone(record, last);
          break;
      }
      if (!collect && this.now() - lastCommit >= COMMIT_EVERY_MS) {
        lastCommit = this.now();
        this.commit({});
      }
    }
    if (signal.aborted) return;
    if (!done) throw new Error('the hub stopped answering before the end of the results');
    if (last) this.commit({ status: 'done' });
  }

  private mergeDone(record: Extract<SearchRecord, { type: 'done' }>, last: boolean): void {
    const current = this.getSnapshot();
    this.set({
      ...current,
      ...(last ? { cursor: record.cursor } : {}),
      partial: current.partial || record.partial,
      failures: [...current.failures, ...(record.failures ?? [])],
      corruptBlocks: current.corruptBlocks + (record.corruptBlocks ?? 0),
    });
  }

  private add(lines: readonly MatchedLine[]): void {
    for (const line of seamLines(lines, (id) => this.ids.has(id))) {
      this.ids.add(line.id);
      this.lines.push(line);
    }
  }

  private commit(change: Partial<ResultsState>): void {
    const current = this.getSnapshot();
    this.set({ ...current, ...change, lines: this.lines, count: this.lines.length, deploys: [...this.deploys], version: current.version + 1 });
  }
}
