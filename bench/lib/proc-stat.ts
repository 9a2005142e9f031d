/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** The fields of a `/proc/<pid>/stat` (or `task/<tid>/stat`) line the benchmarks use. */
export interface StatFields {
  /** The parent process (0 for the kernel's first threads). */
  ppid: number;
  /** The thread's or process's name (`comm`), e.g. `kdamond.0` or `node`. */
  name: string;
  /** User + system CPU time so far, in clock ticks. */
  ticks: number;
}

/**
 * Parses a stat line, or undefined for a line that is not one. The name sits in parentheses and may
 * itself contain spaces and parentheses; the fields after the last `)` do not.
 */
export function parseStat(line: string): StatFields | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = line.slice(close + 2).split(' ');
  // After the name: state, ppid, ... utime (the 12th) and stime (the 13th).
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(ticks)) return undefined;
  return { ppid, name: line.slice(open + 1, close), ticks };
}
