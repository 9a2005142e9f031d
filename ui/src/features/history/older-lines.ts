import type { FilterSpec, MatchedLine, SearchHubFailure, SearchRecord } from '../../../../protocol/index.js';
import type { SearchQuery } from '../../lib/api/search-api.js';
import { ValueStore } from '../../lib/store.js';
import type { DeployEntry } from '../../lib/hub/stream-entry.js';
import type { PaneStream } from '../stream/pane-stream.js';
import { olderBound, olderLinesToPrepend } from './seam.js';

/** Lines asked for per request when scrolling back. */
const OLDER_PAGE_LINES = 200;
/** Pages read in one go when every line of a page was already held (many lines in one millisecond). */
const MAX_EMPTY_PAGES = 5;

export type SearchFn = (query: SearchQuery, signal?: AbortSignal) => AsyncIterable<SearchRecord>;

export type OlderLinesState =
  | { status: 'idle' }
  | { status: 'loading' }
  /** History holds nothing older for this filter. */
  | { status: 'end' }
  /** The pane's buffer is full: older lines would push out newer ones. */
  | { status: 'full' }
  | { status: 'error'; message: string };

/** What the last page said about missing hubs or blocks, shown beside the state. */
export interface OlderLinesNotes {
  partial: boolean;
  failures: readonly SearchHubFailure[];
}

/**
 * Scrolling back past the oldest line of a pane: asks history for the lines before it (newest
 * first, `to` = that line's time, then the cursor) and puts them above it in the pane's stream,
 * without a gap or a duplicate at the seam (history and live lines share ids).
 */
export class OlderLines extends ValueStore<OlderLinesState> {
  readonly notes = new ValueStore<OlderLinesNotes>({ partial: false, failures: [] });
  private controller: AbortController | undefined;
  /** Where the last page left off: its cursor, its `to` bound, and the oldest line it added. */
  private next: { cursor: string; to: number; oldestId: string } | undefined;

  constructor(
    private readonly stream: PaneStream,
    private readonly search: SearchFn,
    private readonly filter: () => FilterSpec,
    private readonly pageLines = OLDER_PAGE_LINES,
  ) {
    super({ status: 'idle' });
  }

  /** Loads the next older page unless one is on its way or history has nothing older. */
  async load(): Promise<void> {
    const status = this.getSnapshot().status;
    if (status === 'loading' || status === 'end') return;
    const controller = new AbortController();
    this.controller = controller;
    this.set({ status: 'loading' });
    try {
      for (let page = 0; page < MAX_EMPTY_PAGES; page++) {
        if (!this.stream.canPrepend) return this.set({ status: 'full' });
        const { added, more } = await this.loadPage(controller.signal);
        if (controller.signal.aborted) return;
        if (!more) return this.set({ status: 'end' });
        if (added > 0) break;
      }
      this.set({ status: 'idle' });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.set({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  /** Forgets where it was (the pane's filter changed or its stream was cleared). */
  reset(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.next = undefined;
    this.notes.set({ partial: false, failures: [] });
    this.set({ status: 'idle' });
  }

  private async loadPage(signal: AbortSignal): Promise<{ added: number; more: boolean }> {
    const oldest = this.stream.oldestLine();
    // The cursor continues from the oldest line the last page added; if the pane's bound has
    // trimmed that line since, start again from the oldest line held, or a gap would open.
    const next = this.next && oldest?.id === this.next.oldestId ? this.next : undefined;
    const to = next ? next.to : oldest ? olderBound(oldest) : undefined;
    const query: SearchQuery = { filter: this.filter(), order: 'desc', to, limit: this.pageLines, cursor: next?.cursor };
    const page: Array<MatchedLine | DeployEntry> = [];
    let cursor: string | undefined;
    let ended = false;
    for await (const record of this.search(query, signal)) {
      if (signal.aborted) return { added: 0, more: true };
      if (record.type === 'match') page.push(record.line);
      else if (record.type === 'deploy') page.push({ kind: 'deploy', deploy: record.deploy });
      else if (record.type === 'error') throw new Error(`${record.code}: ${record.message}`);
      else if (record.type === 'done') {
        ended = true;
        cursor = record.cursor;
        this.notes.set({ partial: record.partial, failures: record.failures ?? [] });
      }
    }
    if (signal.aborted) return { added: 0, more: true };
    const fresh = olderLinesToPrepend(page, (id) => this.stream.seqOf(id) !== undefined);
    const added = this.stream.prepend(fresh);
    const newOldest = this.stream.oldestLine();
    // A page that did not all fit leaves lines between it and the cursor: do not follow the cursor.
    const whole = added === fresh.filter((item) => !('kind' in item)).length;
    this.next = whole && cursor !== undefined && to !== undefined && newOldest ? { cursor, to, oldestId: newOldest.id } : undefined;
    if (!ended) throw new Error('the hub stopped answering before the end of the page');
    return { added, more: cursor !== undefined };
  }
}
