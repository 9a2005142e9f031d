import type { ContextResult, LogLine } from '../../../../protocol/index.js';
import { ValueStore } from '../../lib/store.js';

/** The line whose context is shown; a permalink knows only its id until the hub answers. */
export type ContextTarget = Pick<LogLine, 'id'> & Partial<Pick<LogLine, 'host' | 'file'>>;

export type ContextState =
  | { status: 'closed' }
  | { status: 'loading'; target: ContextTarget; before: number; after: number }
  | { status: 'loaded'; target: ContextTarget; lines: LogLine[]; before: number; after: number }
  | { status: 'missing'; target: ContextTarget }
  | { status: 'error'; target: ContextTarget; message: string };

export type ContextFetcher = (id: string, before: number, after: number) => Promise<ContextResult>;

export const INITIAL_CONTEXT_LINES = 25;

/**
 * The side panel's state: the lines around one line, asked of the hub (which answers from its
 * backlog, ignoring the filter). Answers that arrive after the user moved on to another line are
 * dropped.
 */
export class ContextStore extends ValueStore<ContextState> {
  private request = 0;

  constructor(
    private readonly fetch: ContextFetcher,
    private readonly maxLines: () => number,
  ) {
    super({ status: 'closed' });
  }

  open(target: ContextTarget, before = INITIAL_CONTEXT_LINES, after = INITIAL_CONTEXT_LINES): void {
    const max = this.maxLines();
    this.load(target, Math.min(before, max), Math.min(after, max));
  }

  /** Doubles the lines on both sides, up to the hub's limit. */
  more(): void {
    const state = this.getSnapshot();
    if (state.status !== 'loaded' || !this.canLoadMore()) return;
    const max = this.maxLines();
    this.load(state.target, Math.min(max, state.before * 2), Math.min(max, state.after * 2));
  }

  canLoadMore(): boolean {
    const state = this.getSnapshot();
    const max = this.maxLines();
    return state.status === 'loaded' && (state.before < max || state.after < max);
  }

  close(): void {
    this.request += 1;
    this.set({ status: 'closed' });
  }

  private load(target: ContextTarget, before: number, after: number): void {
    const request = ++this.request;
    this.set({ status: 'loading', target, before, after });
    this.fetch(target.id, before, after).then(
      (result) => {
        if (request !== this.request) return;
        if (!result.found) this.set({ status: 'missing', target });
        else {
          // The answer names the line's host and file, which a permalink did not know.
          const line = result.lines.find((candidate) => candidate.id === target.id);
          const known = line ? { id: line.id, host: line.host, file: line.file } : target;
          this.set({ status: 'loaded', target: known, lines: result.lines, before, after });
        }
      },
      (error: unknown) => {
        if (request !== this.request) return;
        this.set({ status: 'error', target, message: error instanceof Error ? error.message : String(error) });
      },
    );
  }
}
