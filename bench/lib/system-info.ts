import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

export interface SystemInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  grep: string;
  /** 1, 5 and 15 minute load averages when the benchmark started. */
  loadAvgStart: number[];
}

export function systemInfo(): SystemInfo {
  let grep = 'unknown';
  try {
    grep = execFileSync('grep', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? grep;
  } catch {
    // No grep on this machine: the baselines that need it will fail and say so.
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    grep,
    loadAvgStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
