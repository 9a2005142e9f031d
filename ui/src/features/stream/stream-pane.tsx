import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useStore } from '../../lib/store.js';
import type { LineEntry, StreamEntry } from '../../lib/hub/stream-entry.js';
import { DeployRow } from './deploy-row.js';
import { LogRow, type RowExpansion } from './log-row.js';
import { MarkerRow } from './marker-row.js';
import type { PaneStream } from './pane-stream.js';
import { rowCharsForWidth } from './row-geometry.js';
import { StreamStatus } from './stream-status.js';
import { useElementWidth } from './use-element-width.js';
import { useFollowTail } from './use-follow-tail.js';
import { FOLLOW_SLACK_PX, useScrollPause } from './use-scroll-pause.js';
import './stream.css';

/** Height of a collapsed row; must match `.log-row` in stream.css so estimates equal measurements. */
const ROW_HEIGHT = 20;
/** Expanded rows remembered per pane; older expansions are forgotten first. */
const MAX_EXPANDED = 500;

interface StreamPaneProps {
  stream: PaneStream;
  label: string;
  selectedIds: ReadonlySet<string>;
  /** A permalinked line: scrolled to once it is in the stream, and highlighted. */
  highlightId: string | undefined;
  /** The keyboard's row cursor (j/k): outlined, scrolled into view, the list's active descendant. */
  cursorId?: string;
  onLineClick(entry: LineEntry, seq: number, event: MouseEvent): void;
  /** Shown while the stream is empty. */
  emptyHint: ReactNode;
  /** The hub connection is up (the status strip says "Live" only then). */
  connected: boolean;
  /** The phone layout: rows wrap unless the user turns Wrap off. */
  narrow?: boolean;
  /** Called while the user is at the top of the whole buffer (paused): time to load older lines. */
  onReachTop?: () => void;
  /** Shown over the top of the list (the state of loading older lines). */
  topNotice?: ReactNode;
}

/** Estimated height of a marker row (measured once shown: its text may wrap in a narrow pane). */
const MARKER_HEIGHT = 26;
/** Rows from the top within which a paused list asks for older lines. */
const REACH_TOP_ROWS = 10;
/** Measured sizes kept by the virtualizer before the ones of rows no longer held are dropped. */
const SIZE_CACHE_PRUNE_AT = 4000;

/**
 * Rows are keyed by line id. An expanded row gets a distinct key: it is measured under that key
 * while a collapsed row needs no measuring at all (it is exactly ROW_HEIGHT), so collapsing it
 * again falls back to the exact estimate instead of a stale measured height.
 */
function entryKey(entry: StreamEntry | undefined, seq: number, open: boolean): string {
  if (entry?.kind !== 'line') return `marker:${seq}`;
  return open ? `${entry.line.id}~open` : entry.line.id;
}

/**
 * A virtualized view over a PaneStream: only the visible rows (plus overscan) exist in the DOM.
 * Follows the bottom while live; scrolling up pauses; the virtualizer anchors the rows in view when
 * the buffer bound trims lines above them, so reading a paused pane is not disturbed.
 */
export function StreamPane({ stream, label, selectedIds, highlightId, cursorId, onLineClick, emptyHint, connected, narrow = false, onReachTop, topNotice }: StreamPaneProps) {
  const view = useStore(stream);
  const scrollRef = useRef<HTMLDivElement>(null);
  // In characters, so that rows re-render only when a resize changes what they can show.
  const rowChars = rowCharsForWidth(useElementWidth(scrollRef));

  const { onVirtualizerChange, gestureHandlers } = useScrollPause(stream, scrollRef);
  // Until the user picks, rows wrap on a phone (one line per row would show a few words of each).
  const [wrapChoice, setWrapChoice] = useState<boolean | undefined>(undefined);
  const wrapAll = wrapChoice ?? narrow;
  const [expanded, setExpanded] = useState<ReadonlyMap<string, RowExpansion>>(() => new Map());
  const count = view.end - view.start;
  const start = view.start;
  const live = view.paused === null;

  const isOpen = useCallback(
    (entry: StreamEntry | undefined) => wrapAll || (entry?.kind === 'line' && expanded.has(entry.line.id)),
    [wrapAll, expanded],
  );
  const getItemKey = useCallback(
    (index: number) => {
      const entry = stream.entryAt(start + index);
      return entryKey(entry, start + index, isOpen(entry));
    },
    [stream, start, isOpen],
  );
  const estimateSize = useCallback((index: number) => (stream.entryAt(start + index)?.kind === 'line' ? ROW_HEIGHT : MARKER_HEIGHT), [stream, start]);
  /*
   * While live the list is about to be scrolled to its end, so render the rows of the end right
   * away: the virtualizer would otherwise first render the rows at the previous scroll offset (by
   * now mid-list, off screen) and only the end ones after the scroll, building every row twice.
   */
  const rangeExtractor = useCallback(
    (range: Range) => {
      if (!live || range.count === 0) return defaultRangeExtractor(range);
      const first = Math.max(0, range.count - (range.endIndex - range.startIndex + 1) - range.overscan);
      const end = Array.from({ length: range.count - first }, (_, i) => first + i);
      // The rows at the offset too, for the frames in which a live list is not at its end yet
      // (its box just got shorter, see useFollowTail): never a blank box under a "Live" status.
      const atOffset = defaultRangeExtractor(range).filter((index) => index < first);
      return atOffset.length === 0 ? end : [...atOffset, ...end];
    },
    [live],
  );
  const virtualizer = useVirtualizer({
    count,
    rangeExtractor,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: 6,
    anchorTo: 'end',
    followOnAppend: live,
    scrollEndThreshold: FOLLOW_SLACK_PX,
    // React 19 warns when flushSync runs inside its own commit (the virtualizer measures on mount);
    // without it, scroll-driven updates still land in the next render, a frame later at most.
    useFlushSync: false,
    onChange: onVirtualizerChange,
  });

  // The virtualizer never forgets a measured size; drop those of rows the ring no longer holds.
  // The threshold doubles with what survives a pruning, so the cost stays amortized in wrap mode.
  const pruneAt = useRef(SIZE_CACHE_PRUNE_AT);
  useLayoutEffect(() => {
    const sizes = virtualizer.itemSizeCache;
    if (sizes.size < pruneAt.current) return;
    for (const key of sizes.keys()) {
      const text = String(key);
      const held = text.startsWith('marker:') ? Number(text.slice(7)) >= stream.getSnapshot().start : stream.seqOf(text.replace(/~open$/, '')) !== undefined;
      if (!held) sizes.delete(key);
    }
    pruneAt.current = Math.max(SIZE_CACHE_PRUNE_AT, sizes.size * 2);
  }, [virtualizer, view, stream]);

  useFollowTail(virtualizer, scrollRef, live, count, view.version);

  // Resuming jumps to the newest line; the lines that arrived while paused are above it.
  useLayoutEffect(() => {
    if (live && count > 0) virtualizer.scrollToEnd();
    // Deliberately keyed on `live` alone: only the transition to live jumps; following after that
    // is the virtualizer's followOnAppend (and useFollowTail when the box changes), and jumping on
    // every commit would fight the user.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on `live` alone, as said above
  }, [live]);

  const scrolledTo = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    if (highlightId === undefined) {
      scrolledTo.current = undefined;
      return;
    }
    if (scrolledTo.current === highlightId) return;
    const seq = stream.seqOf(highlightId);
    if (seq === undefined || seq < view.start || seq >= view.end) return;
    scrolledTo.current = highlightId;
    virtualizer.scrollToIndex(seq - view.start, { align: 'center' });
  }, [highlightId, view, stream, virtualizer]);

  // The cursor's row is brought into view when the cursor moves (the pane is paused by then).
  useLayoutEffect(() => {
    if (cursorId === undefined) return;
    const seq = stream.seqOf(cursorId);
    const { start: first, end } = stream.getSnapshot();
    if (seq === undefined || seq < first || seq >= end) return;
    virtualizer.scrollToIndex(seq - first, { align: 'auto' });
  }, [cursorId, stream, virtualizer]);
  // Paused with the whole buffer open and scrolled to its first rows: the seam with history is in view.
  const offset = virtualizer.scrollOffset;
  const atTop = !live && !stream.windowHeld && start === stream.firstSeq && offset !== null && offset <= ROW_HEIGHT * REACH_TOP_ROWS;
  useEffect(() => {
    if (atTop) onReachTop?.();
  }, [atTop, onReachTop, start]);

  const cursorDomId = useId();
  const cursorSeq = cursorId === undefined ? undefined : stream.seqOf(cursorId);
  const items = virtualizer.getVirtualItems();
  const cursorShown = cursorSeq !== undefined && items.some((item) => start + item.index === cursorSeq);

  const clickRef = useRef(onLineClick);
  clickRef.current = onLineClick;
  const onRowClick = useCallback((entry: LineEntry, seq: number, event: MouseEvent) => clickRef.current(entry, seq, event), []);
  const onExpand = useCallback((id: string, expansion: RowExpansion | undefined) => {
    setExpanded((current) => {
      const next = new Map(current);
      next.delete(id);
      if (expansion) next.set(id, expansion);
      if (next.size > MAX_EXPANDED) next.delete(next.keys().next().value!);
      return next;
    });
  }, []);
  const togglePause = useCallback(() => (stream.getSnapshot().paused === null ? stream.pause('user') : stream.resume()), [stream]);

  return (
    <div className="stream">
      <StreamStatus view={view} connected={connected} capacity={stream.capacity} wrapAll={wrapAll} onTogglePause={togglePause} onToggleWrap={() => setWrapChoice(!wrapAll)} />
      {topNotice}
      <div
        ref={scrollRef}
        className="stream__scroll"
        {...gestureHandlers}
        role="listbox"
        aria-multiselectable="true"
        aria-label={label}
        aria-activedescendant={cursorShown ? cursorDomId : undefined}
        tabIndex={0}
      >
        <div className="stream__sizer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const seq = start + item.index;
            const entry = stream.entryAt(seq);
            if (!entry) return null;
            // Collapsed rows are exactly ROW_HEIGHT; measuring them would force a layout per new row.
            const measured = entry.kind !== 'line' || isOpen(entry);
            return (
              <div
                key={item.key}
                className={measured ? 'stream__item' : 'stream__item stream__item--fixed'}
                data-index={item.index}
                ref={measured ? virtualizer.measureElement : undefined}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {entry.kind === 'line' ? (
                  <LogRow
                    entry={entry}
                    seq={seq}
                    selected={selectedIds.has(entry.line.id)}
                    highlighted={entry.line.id === highlightId}
                    cursorDomId={entry.line.id === cursorId ? cursorDomId : undefined}
                    expansion={expanded.get(entry.line.id)}
                    wrapAll={wrapAll}
                    rowChars={rowChars}
                    onClick={onRowClick}
                    onExpand={onExpand}
                  />
                ) : entry.kind === 'deploy' ? (
                  <DeployRow entry={entry} />
                ) : (
                  <MarkerRow entry={entry} />
                )}
              </div>
            );
          })}
        </div>
        {count === 0 && <div className="stream__empty">{view.paused !== null && view.newLines > 0 ? 'The lines shown when paused were trimmed.' : emptyHint}</div>}
      </div>
      {view.paused !== null && (
        <button type="button" className="stream__new-lines" onClick={() => stream.resume()}>
          {view.newLines > 0 ? `▼ ${view.newLines.toLocaleString()} new ${view.newLines === 1 ? 'line' : 'lines'}` : '▼ Back to live'}
        </button>
      )}
    </div>
  );
}
