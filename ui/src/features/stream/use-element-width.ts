import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * The clientWidth of `ref`'s element, kept current with a ResizeObserver (where there is one: jsdom
 * has none, and there the first measurement stands). Measured in a layout effect, so the first paint
 * already uses it.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
