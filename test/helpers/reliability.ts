import { readFile, stat, writeFile } from 'node:fs/promises';
import type { CliProcess } from './cli-process.js';
import { metricValue } from './http-api.js';
import { appendLines, numbered } from './supergrep.js';
import { waitFor } from './wait.js';

/** Agent options for fault tests: fast polls, checkpoints, retries and a stats log every 200 ms. */
export const FAST_AGENT = {
  pollIntervalMs: 50,
  rescanIntervalMs: 300,
  checkpointIntervalMs: 100,
  rotatedIdleCloseMs: 300,
  reconnectBaseMs: 50,
  reconnectCapMs: 500,
  heartbeatIntervalMs: 2_000,
  statsIntervalMs: 200,
};

export async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** The agent's counters as it last logged them (`agent stats`, see AgentConfig.statsIntervalMs). */
export function latestStats(agent: CliProcess): Record<string, unknown> | undefined {
  return agent.logs().filter((record) => record.msg === 'agent stats').at(-1);
}

/**
 * Waits for an `agent stats` record logged at or after `afterMs` (epoch ms; by default the call)
 * that satisfies `predicate`. Only fresh records count by default: one logged before the call can
 * predate a batch the test has since seen delivered, and so say "nothing in flight" too early.
 */
export function waitForStats(agent: CliProcess, what: string, predicate: (stats: Record<string, unknown>) => boolean, afterMs = Date.now(), timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return agent.waitForLog(`agent stats: ${what}`, (record) => record.msg === 'agent stats' && Number(record.time) >= afterMs && predicate(record), timeoutMs);
}

/** One sample from the hub's /metrics, e.g. `supergrep_agents`. */
export async function hubMetric(hubUrl: string, series: string): Promise<number | undefined> {
  const response = await fetch(`${hubUrl}/metrics`);
  return metricValue(await response.text(), series);
}

interface StateEntry {
  path: string;
  ino: string;
  offset: number;
}

/** The agent's state file, or undefined when it is missing or unreadable. */
export async function readAgentState(stateFile: string): Promise<StateEntry[] | undefined> {
  try {
    return (JSON.parse(await readFile(stateFile, 'utf8')) as { files: StateEntry[] }).files;
  } catch {
    // Missing, or caught in the middle of a test's own corruption: the caller waits and reads again.
    return undefined;
  }
}

/** Waits until the state file records `file` (by inode) acknowledged up to its current size. */
export async function waitForCheckpointAtEnd(stateFile: string, file: string, timeoutMs = 15_000): Promise<void> {
  const { ino, size } = await stat(file, { bigint: true });
  await waitFor(`the checkpoint of ${file} to reach ${size}`, async () => {
    const entries = await readAgentState(stateFile);
    return entries?.some((entry) => entry.ino === String(ino) && entry.offset === Number(size));
  }, timeoutMs);
}

/**
 * Writes numbered lines ("<prefix> 000000", ...) to a path in small bursts, by path each time (so a
 * rename+create rotation is followed like a logger that reopens its file), until stopped.
 */
export class LineWriter {
  readonly written: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: () => string,
    private readonly prefix: string,
    private readonly perTick = 10,
    private readonly tickMs = 50,
    /** A bound, so a forgotten writer cannot run away: it stops by itself after this many lines. */
    private readonly maxLines = 100_000,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      this.busy = this.busy.then(() => this.tick());
    }, this.tickMs);
    return this;
  }

  private async tick(): Promise<void> {
    if (this.written.length >= this.maxLines) return void clearInterval(this.timer);
    const lines = numbered(this.prefix, this.perTick, this.written.length);
    await appendLines(this.path(), lines);
    this.written.push(...lines);
  }

  /** Stops and waits for the write in progress; returns every line written. */
  async stop(): Promise<string[]> {
    clearInterval(this.timer);
    await this.busy;
    return this.written;
  }
}
