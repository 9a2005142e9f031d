import { spawn } from 'node:child_process';

export interface TimedRun {
  /** CPU seconds in user and kernel mode, and elapsed seconds, as bash's `time` reports them. */
  userSec: number;
  sysSec: number;
  wallSec: number;
  cpuSec: number;
  stdout: string;
}

/** Quotes one argument for sh. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `command` (a shell command line) under bash's `time` and returns its CPU and wall time.
 * Used for the system tools the benchmarks compare with (GNU grep, tail).
 */
export async function timeShell(command: string, env: NodeJS.ProcessEnv = {}): Promise<TimedRun> {
  const script = `TIMEFORMAT='@@time %U %S %R'; time ( ${command} )`;
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const match = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (!match) throw new Error(`cannot time \`${command}\` (exit ${code}): ${stderr.slice(0, 500)}`);
  const userSec = Number(match[1]);
  const sysSec = Number(match[2]);
  return { userSec, sysSec, cpuSec: userSec + sysSec, wallSec: Number(match[3]), stdout };
}
