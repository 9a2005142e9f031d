import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { MatchedLine } from '../../../../protocol/index.js';
import { useStore } from '../../lib/store.js';
import type { DeployEntry, LineEntry } from '../../lib/hub/stream-entry.js';
import { formatCount } from '../../lib/text/time-format.js';
import { DeployRow } from '../stream/deploy-row.js';
import { LogRow, type RowExpansion } from '../stream/log-row.js';
import { rowCharsForWidth } from '../stream/row-geometry.js';
import { useElementWidth } from '../stream/use-element-width.js';
import { lineTime } from './seam.js';
import type { PlacedDeploy, ResultsState, SearchResults } from './search-results.js';
import '../stream/stream.css';
import './history.css';

/** Height of a collapsed row, as in the live list (stream.css). */
const ROW_HEIGHT = 20;

interface ResultsViewProps {
  results: SearchResults;
  /** The label of the pane's filter, for the list's accessible name. */
  title: string;
  highlightId?: string | undefined;
  onLineClick(line: MatchedLine): void;
  /** Opens the capture form for these results; undefined when the sign-in may not save. */
  onCapture: (() => void) | undefined;
  onOrder(order: 'asc' | 'desc'): void;
  onLive(): void;
  narrow?: boolean;
}

/**
 * History results in a pane: streamed as they arrive, with the scan's progress, Cancel, "Load
 * more" (the cursor), and a plain statement when results are partial or the search failed.
 */
export function ResultsView({ results, title, highlightId, onLineClick, onCapture, onOrder, onLive, narrow = false }: ResultsViewProps) {
  const state = useStore(results);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowChars = rowCharsForWidth(useElementWidth(scrollRef));
  const [expanded, setExpanded] = useState<ReadonlyMap<string, RowExpansion>>(() => new Map());
  const { lines, count, request, deploys } = state;
  // Lines with the deploy dividers history placed among them.
  const rows = useMemo(() => resultRows(lines, count, deploys), [lines, count, deploys]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rowKey(rows[index]) ?? index,
    overscan: 8,
    useFlushSync: false,
  });

  // "Jump to time": bring the first line at or after the time into view once it has arrived.
  const jumpIndex = useMemo(() => {
    if (request?.around === undefined) return -1;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      if (!('kind' in row) && lineTime(row) >= request.around) return index;
    }
    return -1;
  }, [request, rows]);
  const jumped = useRef<unknown>(undefined);
  useLayoutEffect(() => {
    if (jumpIndex < 0 || jumped.current === request) return;
    jumped.current = request;
    virtualizer.scrollToIndex(jumpIndex, { align: 'center' });
  }, [jumpIndex, request, virtualizer]);
  const jumpRow = jumpIndex >= 0 ? rows[jumpIndex] : undefined;
  const markedId = highlightId ?? (jumpRow && !('kind' in jumpRow) ? jumpRow.id : undefined);

  const clickRef = useRef(onLineClick);
  clickRef.current = onLineClick;
  const onRowClick = useCallback((entry: LineEntry, _seq: number, _event: MouseEvent) => clickRef.current(entry.line), []);
  const onExpand = useCallback((id: string, expansion: RowExpansion | undefined) => {
    setExpanded((current) => {
      const next = new Map(current);
      next.delete(id);
      if (expansion) next.set(id, expansion);
      return next;
    });
  }, []);
  // Entries are made once per line so memoized rows are not rebuilt on every commit.
  const entries = useRef(new WeakMap<MatchedLine, LineEntry>());
  const entryOf = (line: MatchedLine): LineEntry => {
    let entry = entries.current.get(line);
    if (!entry) {
      entry = { kind: 'line', line, backlog: true };
      entries.current.set(line, entry);
    }
    return entry;
  };

  if (!request) return null;
  return (
    <div className={narrow ? 'results results--narrow' : 'results'} data-status={state.status}>
      <div className="results__bar">
        <span className="results__label" title={request.label}>
          {request.label}
        </span>
        {request.around === undefined && (
          <select aria-label="Order" value={request.order} onChange={(event) => onOrder(event.target.value === 'asc' ? 'asc' : 'desc')}>
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        )}
        <ResultsProgress state={state} />
        {state.status === 'running' ? (
          <button type="button" onClick={() => results.cancel()}>
            Cancel
          </button>
        ) : (
          state.cursor !== undefined && (
            <button type="button" onClick={() => void results.loadMore()}>
              Load more
            </button>
          )
        )}
        <button type="button" disabled={onCapture === undefined || count === 0 || state.status === 'running'} onClick={onCapture} title="Save these results with their time range and query">
          Save capture
        </button>
        <button type="button" className="results__live" onClick={onLive}>
          Back to live
        </button>
      </div>
      {state.partial && (
        <p className="results__partial" role="alert">
          Partial results:{' '}
          {state.failures.length > 0 ? state.failures.map((failure) => `hub ${failure.hubId} (${failure.reason})`).join(', ') + ' did not answer' : 'some stored lines could not be read'}
          {state.corruptBlocks > 0 && `; ${state.corruptBlocks} corrupt ${state.corruptBlocks === 1 ? 'block' : 'blocks'} skipped`}.
        </p>
      )}
      {state.status === 'error' && (
        <p className="results__error" role="alert">
          The search failed: {state.error}
        </p>
      )}
      <div ref={scrollRef} className="stream__scroll results__scroll" role="listbox" aria-label={`History results for ${title}`} tabIndex={0}>
        <div className="stream__sizer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = rows[item.index];
            if (!line) return null;
            if ('kind' in line) {
              return (
                <div key={item.key} className="stream__item stream__item--fixed" data-index={item.index} style={{ transform: `translateY(${item.start}px)` }}>
                  <DeployRow entry={line} />
                </div>
              );
            }
            const open = narrow || expanded.has(line.id);
            return (
              <div
                key={item.key}
                className={open ? 'stream__item' : 'stream__item stream__item--fixed'}
                data-index={item.index}
                ref={open ? virtualizer.measureElement : undefined}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <LogRow
                  entry={entryOf(line)}
                  seq={item.index}
                  selected={false}
                  highlighted={line.id === markedId}
                  expansion={expanded.get(line.id)}
                  wrapAll={narrow}
                  rowChars={rowChars}
                  onClick={onRowClick}
                  onExpand={onExpand}
                />
              </div>
            );
          })}
        </div>
        {count === 0 && state.status !== 'running' && state.status !== 'error' && <div className="stream__empty">No matching lines in this range.</div>}
        {count === 0 && state.status === 'running' && <div className="stream__empty">Searching history…</div>}
      </div>
    </div>
  );
}

/** The first `count` lines with each deploy divider before the line it was placed before. */
function resultRows(lines: readonly MatchedLine[], count: number, deploys: readonly PlacedDeploy[]): Array<MatchedLine | DeployEntry> {
  const rows: Array<MatchedLine | DeployEntry> = [];
  let next = 0;
  for (let index = 0; index <= count; index++) {
    while (next < deploys.length && deploys[next]!.at <= index) rows.push({ kind: 'deploy', deploy: deploys[next++]!.deploy });
    if (index < count) rows.push(lines[index]!);
  }
  return rows;
}

function rowKey(row: MatchedLine | DeployEntry | undefined): string | undefined {
  if (row === undefined) return undefined;
  return 'kind' in row ? `deploy ${row.deploy.id}` : row.id;
}

function ResultsProgress({ state }: { state: ResultsState }) {
  const matches = `${state.count.toLocaleString()} ${state.count === 1 ? 'match' : 'matches'}`;
  const percent = state.totalBytes > 0 ? Math.min(100, Math.round((state.scannedBytes / state.totalBytes) * 100)) : undefined;
  const scanned = state.totalBytes > 0 ? `${formatBytes(state.scannedBytes)} of ${formatBytes(state.totalBytes)} scanned` : undefined;
  const text =
    state.status === 'running'
      ? `Searching… ${matches}${scanned ? `, ${scanned}` : ''}`
      : state.status === 'cancelled'
        ? `Cancelled: ${matches}`
        : state.status === 'error'
          ? `Stopped: ${matches}`
          : `${matches}${state.cursor !== undefined ? ', more may follow' : ''}`;
  return (
    <span className="results__progress" role="status">
      {state.status === 'running' && <progress max={100} value={percent} aria-label="Scanned" />}
      <span>{text}</span>
    </span>
  );
}

/** "12 B", "1.5 kB", "34 MB": scanned bytes in the progress line. */
function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  return `${formatCount(bytes).replace(/([kM])$/, ' $1')}B`;
}
