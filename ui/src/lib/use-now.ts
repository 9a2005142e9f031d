import { useEffect, useState } from 'react';

/** The current time, refreshed every `intervalMs` (for "12 min ago" and deploy lookups). */
export function useNow(intervalMs: number, now: () => number = Date.now): number {
  const [value, setValue] = useState(now);
  useEffect(() => {
    setValue(now());
    const timer = setInterval(() => setValue(now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, now]);
  return value;
}
