import { useEffect, useRef } from 'react';
import type { PaneStream } from '../features/stream/pane-stream.js';
import { edgeLine, stepCursor } from '../features/stream/row-cursor.js';
import type { SelectionStore } from '../features/selection/selection-store.js';
import type { LogLine } from '../../../protocol/index.js';
import { isTyping } from './use-shortcuts.js';

export interface PaneKeyActions {
  stream: PaneStream;
  selection: SelectionStore;
  cursorId: string | undefined;
  setCursor(id: string | undefined): void;
  openContext(line: LogLine): void;
  /** Copies the selected lines as Markdown. */
  copyMarkdown(): void;
  /** Opens the "Save capture" form for the selected lines. */
  saveCapture(): void;
  /** Toggles the cursor's row: the whole line, its JSON pretty-printed, or its event's lines; false if the row has no such toggle. */
  toggleRow(action: 'wrap' | 'json' | 'event'): boolean;
}

/** Arrow keys move the cursor only where they would otherwise scroll the list: on the list itself. */
function onList(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.getAttribute('role') === 'listbox';
}

/**
 * The active pane's keyboard: j/k (or ↓/↑ on the list) move a row cursor, Enter opens its context,
 * x selects from the first selected line to the cursor, c copies the selection as Markdown, s saves
 * it as a capture, o and p show the cursor's whole line or its JSON, e every line of its event
 * (a stack trace's frames), g goes to the oldest line, G to
 * the newest and live again. The cursor pauses the
 * pane, as selecting with the mouse does: a line cannot be picked while it scrolls away.
 */
export function usePaneKeys(active: boolean, actions: PaneKeyActions): void {
  const latest = useRef(actions);
  latest.current = actions;

  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
      // A dialog (the shortcut help) or a form in the pane keeps its own keys.
      if (event.target instanceof Element && event.target.closest('dialog, form')) return;
      const { stream, selection, cursorId, setCursor, openContext, copyMarkdown, saveCapture, toggleRow } = latest.current;
      const holdStill = () => {
        if (stream.getSnapshot().paused === null) stream.pause('cursor');
      };
      const lineOf = (id: string | undefined) => {
        const seq = id === undefined ? undefined : stream.seqOf(id);
        const entry = seq === undefined ? undefined : stream.entryAt(seq);
        return entry?.kind === 'line' ? entry.line : undefined;
      };
      const key = event.key;
      let handled = true;
      if (key === 'j' || key === 'k' || ((key === 'ArrowDown' || key === 'ArrowUp') && onList(event.target))) {
        holdStill();
        setCursor(stepCursor(stream, cursorId, key === 'j' || key === 'ArrowDown' ? 1 : -1));
      } else if (key === 'g') {
        holdStill();
        setCursor(edgeLine(stream, 'first'));
      } else if (key === 'G') {
        setCursor(undefined);
        selection.clear();
        stream.resume();
      } else if (key === 'Enter' && (onList(event.target) || event.target === document.body)) {
        const line = lineOf(cursorId);
        if (line) openContext(line);
        else handled = false;
      } else if (key === 'x') {
        if (cursorId === undefined) handled = false;
        else {
          holdStill();
          const hasAnchor = selection.getSnapshot().anchor !== undefined && selection.getSnapshot().ids.size > 0;
          selection.click(cursorId, hasAnchor ? 'range' : 'single', (from, to) => stream.lineIdsBetween(from, to));
        }
      } else if (key === 'o' || key === 'p' || key === 'e') {
        handled = cursorId !== undefined && toggleRow(key === 'o' ? 'wrap' : key === 'p' ? 'json' : 'event');
      } else if (key === 'c' || key === 's') {
        // Without a selection, the line under the cursor is the one meant.
        if (selection.getSnapshot().ids.size === 0 && cursorId !== undefined) selection.click(cursorId, 'single', () => undefined);
        if (selection.getSnapshot().ids.size === 0) handled = false;
        else if (key === 'c') copyMarkdown();
        else saveCapture();
      } else {
        handled = false;
      }
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [active]);
}
