import { ValueStore } from '../../lib/store.js';
import type { StreamEntry } from '../../lib/hub/stream-entry.js';

export type LocatorState =
  | { status: 'idle' }
  | { status: 'searching'; id: string; paneId: string }
  | { status: 'found'; id: string; paneId: string }
  /** The hub still holds the line (stating its time, once known), but it was not among the pane's replayed matches. */
  | { status: 'outside-stream'; id: string; paneId: string; time: number | undefined }
  /** The hub no longer holds the line (or never did). */
  | { status: 'gone'; id: string; paneId: string };

/** With no backlog line for this long, the replay is taken to be over. */
const BACKLOG_QUIET_MS = 3000;

/**
 * Finds a permalinked line in a pane's stream. The protocol does not mark the end of a backlog
 * replay, so it is over when a live line arrives or the replay goes quiet. Whether the hub still has
 * the line at all comes from a context request (which ignores the filter); both answers are needed
 * to tell "not in this pane's backlog" from "gone".
 */
export class LineLocator extends ValueStore<LocatorState> {
  private backlogOver = false;
  private contextFound: boolean | undefined;
  private contextTime: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly quietMs = BACKLOG_QUIET_MS) {
    super({ status: 'idle' });
  }

  start(id: string, paneId: string): void {
    this.backlogOver = false;
    this.contextFound = undefined;
    this.contextTime = undefined;
    this.set({ status: 'searching', id, paneId });
    this.armQuiet();
  }

  /** Looks through a batch committed to a pane; true when it holds the line being searched for. */
  observe(paneId: string, entries: readonly StreamEntry[]): boolean {
    const state = this.getSnapshot();
    if (state.status !== 'searching' || state.paneId !== paneId) return false;
    let sawBacklog = false;
    let sawLive = false;
    for (const entry of entries) {
      if (entry.kind !== 'line') continue;
      if (entry.line.id === state.id) {
        clearTimeout(this.timer);
        this.set({ ...state, status: 'found' });
        return true;
      }
      if (entry.backlog) sawBacklog = true;
      else sawLive = true;
    }
    if (sawLive) this.replayOver();
    else if (sawBacklog) this.armQuiet();
    return false;
  }

  /**
   * The hub's answer to the context request for the line: does it still hold it, and the line's
   * time, kept so "Show it in history" still works once the context panel is closed.
   */
  contextAnswered(found: boolean, time?: number): void {
    this.contextFound = found;
    this.contextTime = time;
    this.settle();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.set({ status: 'idle' });
  }

  private armQuiet(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.replayOver(), this.quietMs);
  }

  private replayOver(): void {
    clearTimeout(this.timer);
    this.backlogOver = true;
    this.settle();
  }

  private settle(): void {
    const state = this.getSnapshot();
    if (state.status !== 'searching' || !this.backlogOver || this.contextFound === undefined) return;
    this.set(this.contextFound ? { ...state, status: 'outside-stream', time: this.contextTime } : { ...state, status: 'gone' });
  }
}
