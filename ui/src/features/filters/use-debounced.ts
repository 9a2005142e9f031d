import { useCallback, useEffect, useRef } from 'react';

/**
 * Calls `callback` once input has been quiet for `delayMs`. `flush` runs a waiting call now (Enter,
 * blur); unmount cancels it. The latest callback is always the one called.
 */
export function useDebounced<A extends unknown[]>(callback: (...args: A) => void, delayMs: number) {
  const latest = useRef(callback);
  latest.current = callback;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const waiting = useRef<A | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    const args = waiting.current;
    waiting.current = undefined;
    if (args) latest.current(...args);
  }, []);

  const call = useCallback(
    (...args: A) => {
      waiting.current = args;
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, delayMs);
    },
    [delayMs, flush],
  );

  return { call, flush };
}
