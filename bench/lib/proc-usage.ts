import { readFileSync } from 'node:fs';
import { parseStat, TICKS_PER_SECOND } from './proc-stat.js';

export interface ProcessUsage {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  /** Resident memory now, in MB (VmRSS). */
  rssMb: number;
  /** Highest resident memory so far, in MB (VmHWM). */
  peakRssMb: number;
}

/** CPU time and memory of another process, from /proc; undefined once it has exited. */
export function processUsage(pid: number): ProcessUsage | undefined {
  try {
    const ticks = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ticks ?? Number.NaN;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
    return { cpuSeconds: ticks / TICKS_PER_SECOND, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    // The process is gone (or never existed): there is nothing to read.
    return undefined;
  }
}

/**
 * Samples a process's CPU and RSS at an interval between `start()` and `stop()`: CPU is the
 * difference over the window, RSS the highest sample and the last one.
 */
export class UsageSampler {
  private timer: NodeJS.Timeout | undefined;
  private first: ProcessUsage | undefined;
  private last: ProcessUsage | undefined;
  private startedAt = 0;
  private stoppedAt = 0;
  maxRssMb = 0;
  readonly rssSamples: number[] = [];

  constructor(
    readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.first = processUsage(this.pid);
    this.last = this.first;
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    const usage = processUsage(this.pid);
    if (!usage) return;
    this.last = usage;
    this.rssSamples.push(usage.rssMb);
    if (usage.rssMb > this.maxRssMb) this.maxRssMb = usage.rssMb;
  }

  stop(): { cpuSeconds: number; seconds: number; cpuPercent: number; maxRssMb: number; lastRssMb: number } {
    clearInterval(this.timer);
    this.sample();
    this.stoppedAt = performance.now();
    const seconds = (this.stoppedAt - this.startedAt) / 1000;
    const cpuSeconds = (this.last?.cpuSeconds ?? 0) - (this.first?.cpuSeconds ?? 0);
    return { cpuSeconds, seconds, cpuPercent: (100 * cpuSeconds) / seconds, maxRssMb: this.maxRssMb, lastRssMb: this.last?.rssMb ?? Number.NaN };
  }
}
