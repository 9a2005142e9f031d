import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, type KeyboardEvent, type PointerEvent, type RefObject, type TouchEvent, type WheelEvent } from 'react';
import type { PaneStream } from './pane-stream.js';

/** Scrolling up further than this from the bottom pauses the pane (scrollbar drags, which have no direction of their own). */
const PAUSE_SLACK_PX = 24;
/** Coming back within this of the bottom resumes it (and the virtualizer follows from there). */
export const FOLLOW_SLACK_PX = 4;
/** How long after a wheel, touch, key or scrollbar press a scroll counts as the user's. */
const USER_SCROLL_WINDOW_MS = 400;
/**
 * A scroll pause keeps the live window until the list has seen the user's scroll (see
 * PaneStream.pauseForScroll); if no scroll event comes (nothing moved), it opens after this long.
 */
const OPEN_WINDOW_FALLBACK_MS = 300;
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);
/** Keys that move a scroll box towards its top: pressing one is the intent to read back. */
const SCROLL_UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/**
 * Scrolling up pauses a pane, scrolling back to the bottom resumes it; but only when the user
 * scrolled.
 *
 * Pausing is decided from the gesture itself (wheel up, a key towards the top, a finger dragging the
 * content down), in its event handler, not from the scroll position afterwards. Under a firehose a
 * batch is committed every 50-100 ms, and the browser scrolls on the compositor before the page's
 * scroll event runs: a batch committed in between still saw the list "at the end", so following
 * the newest line wrote the scroll position back to the bottom, and the scroll event that followed
 * reported the list's own write, never a scroll up. Once the wheel handler has paused the pane,
 * no commit follows any more, whatever the order of the events after it.
 *
 * The pause keeps the live window (PaneStream.pauseForScroll) until the virtualizer has taken in the
 * new offset: opening the whole buffer re-anchors the list from the offset it knows, which must be
 * where the user scrolled to, not where the list was a moment before.
 *
 * A scrollbar drag has no direction until it moves; it still pauses from the position, within
 * a short window after the press. Layout changes move the scroll position too (a panel opening
 * narrows the pane, rows re-measure), which is why a scroll counts only shortly after a gesture.
 */
export function useScrollPause(stream: PaneStream, scrollRef: RefObject<HTMLDivElement | null>) {
  const userScrollUntil = useRef(0);
  const openTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const touchY = useRef<number | undefined>(undefined);
  const noteUserScroll = useCallback(() => {
    userScrollUntil.current = performance.now() + USER_SCROLL_WINDOW_MS;
  }, []);

  useEffect(() => () => clearTimeout(openTimer.current), []);

  /** The user means to read back: stop following now, before any further commit. */
  const pauseOnIntent = useCallback(() => {
    noteUserScroll();
    const element = scrollRef.current;
    // A list that fits its box cannot scroll up: there is nothing to read back to.
    if (stream.getSnapshot().paused !== null || !element || element.scrollHeight - element.clientHeight <= FOLLOW_SLACK_PX) return;
    stream.pauseForScroll();
    clearTimeout(openTimer.current);
    openTimer.current = setTimeout(() => stream.openWindow(), OPEN_WINDOW_FALLBACK_MS);
  }, [stream, scrollRef, noteUserScroll]);

  const onVirtualizerChange = useCallback(
    (instance: Virtualizer<HTMLDivElement, Element>) => {
      // The virtualizer has now read the scroll position the gesture produced.
      if (instance.isScrolling && stream.windowHeld) stream.openWindow();
      if (performance.now() > userScrollUntil.current || instance.scrollDirection === null) return;
      const paused = stream.getSnapshot().paused;
      const fromEnd = instance.getDistanceFromEnd();
      if (paused === null && instance.scrollDirection === 'backward' && fromEnd > PAUSE_SLACK_PX) stream.pause('scroll');
      else if (paused === 'scroll' && instance.scrollDirection === 'forward' && fromEnd <= FOLLOW_SLACK_PX) stream.resume();
    },
    [stream],
  );

  /** Spread on the scroll box: the gestures that pause, or that make the next scroll the user's. */
  const gestureHandlers = useMemo(
    () => ({
      onWheel: (event: WheelEvent) => {
        // Ctrl+wheel zooms; a sideways wheel does not move the list.
        if (event.deltaY < 0 && !event.ctrlKey) pauseOnIntent();
        else noteUserScroll();
      },
      onTouchStart: (event: TouchEvent) => {
        touchY.current = event.touches[0]?.clientY;
      },
      onTouchMove: (event: TouchEvent) => {
        const y = event.touches[0]?.clientY;
        // A finger moving down drags the content down: the view moves towards older lines.
        if (y !== undefined && touchY.current !== undefined && y > touchY.current) pauseOnIntent();
        else noteUserScroll();
        touchY.current = y;
      },
      onKeyDown: (event: KeyboardEvent) => {
        if (SCROLL_UP_KEYS.has(event.key)) pauseOnIntent();
        else if (SCROLL_KEYS.has(event.key)) noteUserScroll();
      },
      onPointerDown: (event: PointerEvent) => {
        // A press on the scroll box itself (not on a row) is on its scrollbar: the drag lasts until release.
        if (event.target !== event.currentTarget) return;
        userScrollUntil.current = Number.POSITIVE_INFINITY;
        window.addEventListener('pointerup', noteUserScroll, { once: true });
      },
    }),
    [noteUserScroll, pauseOnIntent],
  );

  return { onVirtualizerChange, gestureHandlers };
}
