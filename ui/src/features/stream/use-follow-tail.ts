import type { Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type RefObject } from 'react';
import { FOLLOW_SLACK_PX } from './use-scroll-pause.js';

/** How far the scroll box's bottom is from the end of its content, from the element itself. */
function distanceFromEnd(element: HTMLElement): number {
  return element.scrollHeight - element.clientHeight - element.scrollTop;
}

/**
 * Keeps a live pane at its newest row, whatever moved it away. The virtualizer follows an append
 * only if the list was at its end before it, and a box that gets shorter (window, pin strip,
 * selection bar) keeps its scrollTop, leaving the end below the box: without this, a live pane
 * stops following and, as its window slides, goes blank. Scrolling up pauses a pane
 * (useScrollPause), so while live any distance from the end is closed.
 */
export function useFollowTail(
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  scrollRef: RefObject<HTMLDivElement | null>,
  live: boolean,
  count: number,
  version: number,
): void {
  const following = useRef(false);
  following.current = live && count > 0;

  // The box, and the content in it: wrapped rows are measured after the commit that added them,
  // and the content they grow by after the virtualizer's follow would be left below the box.
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (following.current && distanceFromEnd(element) > FOLLOW_SLACK_PX) virtualizer.scrollToEnd();
    });
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [virtualizer, scrollRef]);

  // After the virtualizer's own layout effect (declared before this one), which wrote its follow.
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!following.current || !element) return;
    if (distanceFromEnd(element) > FOLLOW_SLACK_PX) virtualizer.scrollToEnd();
  }, [virtualizer, scrollRef, version]);
}
