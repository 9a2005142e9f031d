import type { PaneStream } from './pane-stream.js';

/**
 * The keyboard's row cursor: which line j/k (or the arrows) move to. Markers (deploys, gaps) are
 * skipped; only lines can be opened, selected and copied.
 */

/**
 * The line `step` lines after (1) or before (-1) the line `fromId` among those the pane shows;
 * without a cursor (or when its line is gone), the newest line shown, where the eyes are on a live
 * pane. Stays put at either end.
 */
export function stepCursor(stream: PaneStream, fromId: string | undefined, step: 1 | -1): string | undefined {
  const { start, end } = stream.getSnapshot();
  const from = fromId === undefined ? undefined : stream.seqOf(fromId);
  if (from === undefined || from < start || from >= end) return edgeLine(stream, 'last');
  for (let seq = from + step; seq >= start && seq < end; seq += step) {
    const entry = stream.entryAt(seq);
    if (entry?.kind === 'line') return entry.line.id;
  }
  return fromId;
}

/** The oldest or the newest line the pane shows. */
export function edgeLine(stream: PaneStream, edge: 'first' | 'last'): string | undefined {
  const { start, end } = stream.getSnapshot();
  const step = edge === 'first' ? 1 : -1;
  for (let seq = edge === 'first' ? start : end - 1; seq >= start && seq < end; seq += step) {
    const entry = stream.entryAt(seq);
    if (entry?.kind === 'line') return entry.line.id;
  }
  return undefined;
}
