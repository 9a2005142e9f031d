/**
 * Milliseconds on a clock that never jumps: the time since this process started, from the OS's
 * monotonic clock. Every duration the agent measures (idle time before closing a rotated file, how
 * long a file is left alone after a failed read, when a path was last checked) uses it, so an NTP
 * step or an operator setting the wall clock cannot make a file look idle for an hour, or never.
 * Wall-clock time (Date.now) is only for timestamps that leave the process.
 */
export function monotonicNow(): number {
  return performance.now();
}
