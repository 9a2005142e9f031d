/**
 * Microseconds on the monotonic clock. Node's hrtime reads CLOCK_MONOTONIC, which every process on
 * the machine shares, so a stamp written by one process can be compared with the time another
 * process reads it.
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The write stamp the line writer puts first on every line: `wt=<µs> `. */
export const STAMP_PREFIX = 'wt=';

/** The stamp of a line written by the line writer, or NaN. */
export function stampOf(line: string): number {
  if (!line.startsWith(STAMP_PREFIX)) return Number.NaN;
  return Number(line.slice(STAMP_PREFIX.length, line.indexOf(' ')));
}
