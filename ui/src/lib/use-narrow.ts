import { useSyncExternalStore } from 'react';

/**
 * The phone layout's breakpoint; must match the `max-width: 640px` media queries in the CSS. At
 * this width there is one pane at a time, the filter options and the pins fold into the header,
 * context opens as a full-screen sheet and rows wrap.
 */
const NARROW_QUERY = '(max-width: 640px)';

function query(): MediaQueryList | undefined {
  // jsdom has no matchMedia: the tests there get the wide layout.
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(NARROW_QUERY) : undefined;
}

function subscribe(listener: () => void): () => void {
  const list = query();
  list?.addEventListener('change', listener);
  return () => list?.removeEventListener('change', listener);
}

/** Whether the window is phone-narrow; re-renders when that changes (a rotation, a resize). */
export function useNarrow(): boolean {
  return useSyncExternalStore(subscribe, () => query()?.matches ?? false, () => false);
}
