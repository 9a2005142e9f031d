import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './results.js';

export const CLI = join(REPO_ROOT, 'bin', 'supergrep');
/** The compiled benchmark directory (dist/bench), where the worker scripts live. */
const BENCH_DIST = join(REPO_ROOT, 'dist', 'bench');

/** Every child started by a benchmark, so that none outlives the run, even when it fails. */
const live = new Set<ChildProcess>();

function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.exit(130);
  });
}

/** A child process with its stdout/stderr collected line by line. */
export class Child {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    keepLines = true,
  ) {
    live.add(process);
    this.exited = once(process, 'exit').then(([code]) => {
      live.delete(process);
      return code as number | null;
    });
    if (process.stdout) collect(process.stdout, (line) => {
      if (keepLines) this.stdoutLines.push(line);
      for (const listener of this.lineListeners) listener(line);
    });
    if (process.stderr) collect(process.stderr, (line) => {
      if (this.stderrLines.length < 10_000) this.stderrLines.push(line);
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  onStdoutLine(listener: (line: string) => void): void {
    this.lineListeners.add(listener);
  }

  /** Structured (pino) records logged on stderr. */
  logs(): Array<Record<string, unknown>> {
    const records: Array<Record<string, unknown>> = [];
    for (const line of this.stderrLines) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a complete JSON record: ignore it.
      }
    }
    return records;
  }

  async waitForLog(what: string, predicate: (record: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    return waitUntil(`${this.name}: ${what}`, () => {
      if (!this.running) throw new Error(`${this.name} exited:\n${this.stderrLines.slice(-20).join('\n')}`);
      return this.logs().find(predicate);
    }, timeoutMs);
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function collect(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
  });
}

export function startChild(name: string, command: string, args: string[], options: SpawnOptions & { keepLines?: boolean } = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return new Child(name, child, options.keepLines ?? true);
}

/** Starts a compiled worker script of dist/bench/workers with its arguments as one JSON string. */
export function startWorker(name: string, script: string, config: unknown, nodeArgs: string[] = []): Child {
  return startChild(name, process.execPath, [...nodeArgs, join(BENCH_DIST, 'workers', script), JSON.stringify(config)], { keepLines: false });
}

/** Polls `condition` until it returns something truthy; throws after `timeoutMs`. */
export async function waitUntil<T>(what: string, condition: () => T, timeoutMs = 20_000, intervalMs = 10): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `--cpu-prof` options when SUPERGREP_BENCH_PROFILE names a directory: every hub and agent a
 * benchmark starts then writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
 */
function profileArgs(): string[] {
  const dir = process.env.SUPERGREP_BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** CLI environment without SUPERGREP_* settings of the caller, plus `env`. */
function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SUPERGREP_')) out[key] = value;
  return { ...out, ...env };
}

/**
 * Starts `supergrep <cliArgs>`. Without `nodeArgs`, as users start it: `bin/supergrep`, whose
 * launcher gives the command its own Node flags (the hub's GC floor) and runs the `node` on PATH,
 * with a profiler's options in NODE_OPTIONS. With `nodeArgs`, this process's Node runs the CLI with
 * exactly those flags instead, to compare.
 */
function startCli(name: string, cliArgs: string[], nodeArgs: string[] | undefined, env: NodeJS.ProcessEnv = {}): Child {
  const profile = profileArgs();
  if (nodeArgs) return startChild(name, process.execPath, [...profile, ...nodeArgs, CLI, ...cliArgs], { env: cliEnv(env) });
  const nodeOptions = [process.env.NODE_OPTIONS, ...profile].filter(Boolean).join(' ');
  return startChild(name, CLI, cliArgs, { env: cliEnv({ ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) }) });
}

export interface BenchHub {
  child: Child;
  url: string;
  wsUrl: string;
}

/**
 * `supergrep hub` on a free loopback port; `config` (any hub option) goes through `--config`;
 * `nodeArgs`: see startCli.
 */
export async function startHub(dataDir: string, options: { config?: Record<string, unknown>; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<BenchHub> {
  const args = ['hub', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'info'];
  if (options.config) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'bench-hub-config.json');
    writeFileSync(file, JSON.stringify(options.config));
    args.push('--config', file);
  }
  const child = startCli('hub', args, options.nodeArgs, options.env);
  const record = await child.waitForLog('listening', (r) => r.msg === 'hub listening');
  const url = String(record.url);
  return { child, url, wsUrl: url.replace(/^http/, 'ws') };
}

export interface BenchAgentOptions {
  hub: string;
  paths: string[];
  stateFile: string;
  fromStart?: boolean;
  name?: string;
  nodeArgs?: string[];
  /** More `supergrep agent` flags. */
  args?: string[];
}

/** `supergrep agent` following `paths`; `nodeArgs`: see startCli. */
export function startAgent(options: BenchAgentOptions): Child {
  const args = ['agent', '--hub', options.hub, '--state', options.stateFile, '--name', options.name ?? 'bench-host'];
  if (options.fromStart) args.push('--from-start');
  if (options.args) args.push(...options.args);
  args.push(...options.paths);
  return startCli('agent', args, options.nodeArgs);
}
