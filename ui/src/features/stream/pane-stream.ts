import type { Deploy, MatchedLine } from '../../../../protocol/index.js';
import { RingBuffer } from '../../lib/ring-buffer.js';
import type { Readable } from '../../lib/store.js';
import type { DeployEntry, StreamEntry } from '../../lib/hub/stream-entry.js';

/** Deploy dividers share the id map with lines under a key no line id (`<hub>-<n>-<pos>`) can have. */
function deployKey(id: string): string {
  return `deploy ${id}`;
}

/** Lines kept per pane. At ~500 bytes a line this bounds a pane near 25 MB whatever the hub sends. */
export const DEFAULT_PANE_CAPACITY = 50_000;

/** Why a pane stopped following: the button or Space, scrolling up, lines being selected, a permalink. */
/**
 * While live, only the newest lines are handed to the list: a pane that follows the bottom shows a
 * screenful, and the virtualizer's per-commit bookkeeping is linear in the list length. Pausing
 * opens the whole buffer for scrolling back (the virtualizer keeps the rows in view anchored).
 * 500 rows is ten times a tall screen; every commit under a firehose rebuilds the virtualizer's
 * positions for the whole window, so a larger one only costs.
 */
const LIVE_WINDOW = 500;

export type PauseReason = 'user' | 'scroll' | 'select' | 'permalink' | 'cursor';

/** What a pane shows: entries with seq in [start, end), plus the counters its status bar reports. */
export interface StreamView {
  start: number;
  end: number;
  paused: PauseReason | null;
  /** Lines that arrived since the pause (still held, shown on resume). */
  newLines: number;
  /** Lines the buffer bound evicted since the filter was set. */
  trimmed: number;
  /** Lines the hub discarded for this viewer since the filter was set. */
  dropped: number;
  /** Lines received since the filter was set. */
  received: number;
  /** Changes with every commit, so memoized consumers can tell commits apart. */
  version: number;
}

/**
 * One pane's bounded stream. While paused, lines keep arriving into the same ring (nothing is lost
 * until the bound) but the visible window stays where it was; the bound may still evict the oldest
 * lines, including visible ones, and that is counted. Every change is one commit: append() is called
 * once per animation frame with everything that arrived in that frame.
 */
export class PaneStream implements Readable<StreamView> {
  private readonly ring: RingBuffer<StreamEntry>;
  private readonly seqById = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private pausedEnd = 0;
  /**
   * Set while a scroll pause keeps the live window (see pauseForScroll): the first seq handed to the
   * list until openWindow() is called.
   */
  private heldStart: number | undefined;
  private view: StreamView;

  constructor(
    readonly capacity = DEFAULT_PANE_CAPACITY,
    private readonly liveWindow = LIVE_WINDOW,
  ) {
    this.ring = new RingBuffer(capacity);
    this.view = { start: 0, end: 0, paused: null, newLines: 0, trimmed: 0, dropped: 0, received: 0, version: 0 };
  }

  getSnapshot = (): StreamView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  entryAt(seq: number): StreamEntry | undefined {
    return this.ring.at(seq);
  }

  /** The seq of the line with hub id `id`, if it is still held. */
  seqOf(id: string): number | undefined {
    return this.seqById.get(id);
  }

  /** Ids of the lines from one line to another, inclusive, in stream order; undefined if either is gone. */
  lineIdsBetween(fromId: string, toId: string): string[] | undefined {
    const from = this.seqById.get(fromId);
    const to = this.seqById.get(toId);
    if (from === undefined || to === undefined) return undefined;
    const ids: string[] = [];
    for (let seq = Math.min(from, to); seq <= Math.max(from, to); seq++) {
      const entry = this.ring.at(seq);
      if (entry?.kind === 'line') ids.push(entry.line.id);
    }
    return ids;
  }

  /** The held lines among `ids`, in stream order, and how many of the ids the bound already evicted. */
  linesByIds(ids: Iterable<string>): { lines: MatchedLine[]; missing: number } {
    const seqs: number[] = [];
    let missing = 0;
    for (const id of ids) {
      const seq = this.seqById.get(id);
      if (seq === undefined) missing += 1;
      else seqs.push(seq);
    }
    seqs.sort((a, b) => a - b);
    const lines: MatchedLine[] = [];
    for (const seq of seqs) {
      const entry = this.ring.at(seq);
      if (entry?.kind === 'line') lines.push(entry.line);
    }
    return { lines, missing };
  }

  append(entries: readonly StreamEntry[]): void {
    if (entries.length === 0) return;
    let { trimmed, dropped, received, newLines } = this.view;
    const paused = this.view.paused !== null;
    for (const entry of entries) {
      if (entry.kind === 'line') {
        // A line can come twice (e.g. backlog and live overlapping); it is one row, keyed by its id.
        if (this.seqById.has(entry.line.id)) continue;
        this.seqById.set(entry.line.id, this.ring.endSeq);
        received += 1;
        if (paused) newLines += 1;
      } else if (entry.kind === 'deploy') {
        // A deploy comes again when a reconnect replays the backlog it sits in: one divider.
        const key = deployKey(entry.deploy.id);
        if (this.seqById.has(key)) continue;
        this.seqById.set(key, this.ring.endSeq);
      } else if (entry.kind === 'dropped') {
        dropped += entry.count;
      }
      const evictedSeq = this.ring.startSeq;
      const evicted = this.ring.push(entry);
      if (evicted?.kind === 'line') {
        trimmed += 1;
        if (this.seqById.get(evicted.line.id) === evictedSeq) this.seqById.delete(evicted.line.id);
        if (paused && evictedSeq >= this.pausedEnd) newLines -= 1;
      } else if (evicted?.kind === 'deploy' && this.seqById.get(deployKey(evicted.deploy.id)) === evictedSeq) {
        this.seqById.delete(deployKey(evicted.deploy.id));
      }
    }
    this.commit({ trimmed, dropped, received, newLines });
  }

  /** The deploy dividers held, in stream order. */
  deploys(): Deploy[] {
    const deploys: Deploy[] = [];
    for (let seq = this.ring.startSeq; seq < this.ring.endSeq; seq++) {
      const entry = this.ring.at(seq);
      if (entry?.kind === 'deploy') deploys.push(entry.deploy);
    }
    return deploys;
  }

  /** Seq of the oldest entry held: the top of the list once the whole buffer is open. */
  get firstSeq(): number {
    return this.ring.startSeq;
  }

  /** Whether the buffer has room for older lines above its oldest one. */
  get canPrepend(): boolean {
    return this.ring.length < this.capacity;
  }

  /** The oldest line held, the one older lines from history go above. */
  oldestLine(): MatchedLine | undefined {
    for (let seq = this.ring.startSeq; seq < this.ring.endSeq; seq++) {
      const entry = this.ring.at(seq);
      if (entry?.kind === 'line') return entry.line;
    }
    return undefined;
  }

  /**
   * Puts older lines (oldest first, with the deploy dividers placed among them) above the oldest
   * entry held, skipping lines and dividers already held, as far as the bound allows: what does not
   * fit is left out rather than evicting newer lines. One commit; returns how many lines were
   * added. Rows are keyed by line id, so the list keeps the rows in view where they are.
   */
  prepend(items: ReadonlyArray<MatchedLine | DeployEntry>): number {
    let added = 0;
    let changed = false;
    for (let index = items.length - 1; index >= 0; index--) {
      const item = items[index]!;
      const key = 'kind' in item ? deployKey(item.deploy.id) : item.id;
      if (this.seqById.has(key)) continue;
      if (!this.ring.unshift('kind' in item ? item : { kind: 'line', line: item, backlog: true })) break;
      this.seqById.set(key, this.ring.startSeq);
      changed = true;
      if (!('kind' in item)) added += 1;
    }
    if (changed) this.commit({ received: this.view.received + added });
    return added;
  }

  pause(reason: PauseReason): void {
    if (this.view.paused === reason) return;
    if (this.view.paused === null) this.pausedEnd = this.ring.endSeq;
    this.commit({ paused: reason });
  }

  /**
   * Pauses for a scroll gesture that has begun but that the list may not have taken in yet: the
   * window stays the live one (no rows added above, so the list has nothing to re-anchor from a
   * stale scroll position) until openWindow() is called once the list knows where the user is.
   */
  pauseForScroll(): void {
    if (this.view.paused !== null) return;
    this.heldStart = this.view.start;
    this.pause('scroll');
  }

  /** Hands the whole buffer to a list paused by pauseForScroll (no-op otherwise). */
  openWindow(): void {
    if (this.heldStart === undefined) return;
    this.heldStart = undefined;
    if (this.view.paused !== null) this.commit({});
  }

  /** Whether a scroll pause still keeps the live window (openWindow() not called yet). */
  get windowHeld(): boolean {
    return this.heldStart !== undefined;
  }

  resume(): void {
    if (this.view.paused === null) return;
    this.heldStart = undefined;
    this.commit({ paused: null, newLines: 0 });
  }

  /** Forgets every line and counter: the pane's filter changed, so what it showed no longer applies. */
  reset(): void {
    this.ring.clear();
    this.seqById.clear();
    this.pausedEnd = this.ring.endSeq;
    this.heldStart = undefined;
    this.commit({ paused: null, newLines: 0, trimmed: 0, dropped: 0, received: 0 });
  }

  private commit(change: Partial<StreamView>): void {
    const next = { ...this.view, ...change };
    if (next.paused === null) {
      next.end = this.ring.endSeq;
      next.start = Math.max(this.ring.startSeq, next.end - this.liveWindow);
    } else {
      next.start = Math.max(this.ring.startSeq, this.heldStart ?? this.ring.startSeq);
      next.end = Math.max(next.start, Math.min(this.pausedEnd, this.ring.endSeq));
    }
    next.version = this.view.version + 1;
    this.view = next;
    for (const listener of [...this.listeners]) listener();
  }
}
