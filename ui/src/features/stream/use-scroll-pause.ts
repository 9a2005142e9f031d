import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import type { PaneStream } from './pane-stream.js';

/** Scrolling up further than this from the bottom pauses the pane. */
const PAUSE_SLACK_PX = 24;
/** Coming back within this of the bottom resumes it (and the virtualizer follows from there). */
export const FOLLOW_SLACK_PX = 4;
/** How long after a wheel, touch, key or scrollbar press a scroll counts as the user's. */
const USER_SCROLL_WINDOW_MS = 400;
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

/**
 * Scrolling up pauses a pane, scrolling back to the bottom resumes it; but only when the user
 * scrolled. Layout changes move the scroll position too (a panel opening narrows the pane, rows
 * re-measure, the virtualizer re-anchors), so a scroll counts as the user's only shortly after a
 * wheel, touch, scroll key or scrollbar press. The check runs in the virtualizer's change callback,
 * after it has taken in the new offset: pausing re-anchors the list, which must start from where
 * the user scrolled to, not from where the list was a moment before.
 */
export function useScrollPause(stream: PaneStream) {
  const userScrollUntil = useRef(0);
  const noteUserScroll = useCallback(() => {
    userScrollUntil.current = performance.now() + USER_SCROLL_WINDOW_MS;
  }, []);

  const onVirtualizerChange = useCallback(
    (instance: Virtualizer<HTMLDivElement, Element>) => {
      if (performance.now() > userScrollUntil.current || instance.scrollDirection === null) return;
      const paused = stream.getSnapshot().paused;
      const fromEnd = instance.getDistanceFromEnd();
      if (paused === null && instance.scrollDirection === 'backward' && fromEnd > PAUSE_SLACK_PX) stream.pause('scroll');
      else if (paused === 'scroll' && fromEnd <= FOLLOW_SLACK_PX) stream.resume();
    },
    [stream],
  );

  /** Spread on the scroll box: the gestures that make the next scroll the user's. */
  const gestureHandlers = useMemo(
    () => ({
      onWheel: noteUserScroll,
      onTouchMove: noteUserScroll,
      onKeyDown: (event: KeyboardEvent) => {
        if (SCROLL_KEYS.has(event.key)) noteUserScroll();
      },
      onPointerDown: (event: PointerEvent) => {
        // A press on the scroll box itself (not on a row) is on its scrollbar: the drag lasts until release.
        if (event.target !== event.currentTarget) return;
        userScrollUntil.current = Number.POSITIVE_INFINITY;
        window.addEventListener('pointerup', noteUserScroll, { once: true });
      },
    }),
    [noteUserScroll],
  );

  return { onVirtualizerChange, gestureHandlers };
}
