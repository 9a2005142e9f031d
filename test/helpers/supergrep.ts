import { join } from 'node:path';
import { appendFile } from 'node:fs/promises';
import { HubClient } from '../../lib/hub-client.js';
import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import { CliProcess } from './cli-process.js';
import { waitFor } from './wait.js';

/** A hub started through the real CLI on a free loopback port. */
export interface TestHub {
  process: CliProcess;
  url: string;
  wsUrl: string;
  port: number;
}

export interface HubOptions {
  dataDir: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  args?: string[];
}

export async function startHub(options: HubOptions): Promise<TestHub> {
  const args = ['hub', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--data', options.dataDir, ...(options.args ?? [])];
  const process = new CliProcess(args, options.env);
  const record = await process.waitForLog('the hub to listen', (r) => r.msg === 'hub listening' || !process.running).catch((error: Error) => {
    throw new Error(`${error.message}\n${process.output()}`);
  });
  if (!process.running) throw new Error(`hub exited at start:\n${process.output()}`);
  const url = String(record.url);
  return { process, url, wsUrl: url.replace(/^http/, 'ws'), port: Number(new URL(url).port) };
}

export interface AgentOptions {
  hubs: string[];
  paths: string[];
  stateFile: string;
  name?: string;
  fromStart?: boolean;
  token?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export function startAgent(options: AgentOptions): CliProcess {
  const args = ['agent', '--state', options.stateFile, '--name', options.name ?? 'test-host'];
  for (const hub of options.hubs) args.push('--hub', hub);
  if (options.fromStart) args.push('--from-start');
  if (options.token) args.push('--token', options.token);
  args.push(...(options.args ?? []), ...options.paths);
  return new CliProcess(args, options.env);
}

/** Resolves once the agent logs that it follows `path` (the agent logs each file it starts following). */
export function waitForFollowing(agent: CliProcess, path: string): Promise<Record<string, unknown>> {
  return agent.waitForLog(`the agent to follow ${path}`, (r) => r.file === path && typeof r.msg === 'string' && r.msg.startsWith('following'));
}

/** A viewer that records every line delivered for one subscription. */
export class Collector {
  readonly lines: MatchedLine[] = [];
  readonly dropped: number[] = [];
  readonly errors: string[] = [];
  readonly client: HubClient;
  private subscribed = false;

  constructor(hubUrl: string, filter: FilterSpec, options: { token?: string; backlog?: number; ca?: Buffer } = {}) {
    this.client = new HubClient({
      hub: hubUrl,
      token: options.token,
      clientName: 'test-collector',
      reconnectBaseMs: 50,
      reconnectCapMs: 500,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    this.client.on('matches', (_sub, lines) => this.lines.push(...lines));
    this.client.on('dropped', (_sub, count) => this.dropped.push(count));
    this.client.on('subscribed', () => {
      this.subscribed = true;
    });
    this.client.on('hubError', (error) => this.errors.push(`${error.code}: ${error.message}`));
    this.client.on('fatal', (error) => this.errors.push(`fatal: ${error.message}`));
    this.client.subscribe({ sub: 's1', filter, ...(options.backlog !== undefined ? { backlog: options.backlog } : {}) });
    this.client.connect();
  }

  async ready(): Promise<this> {
    await waitFor('the subscription to be live', () => this.subscribed || this.errors.length > 0);
    if (this.errors.length) throw new Error(this.errors.join('; '));
    return this;
  }

  texts(): string[] {
    return this.lines.map((line) => line.line);
  }

  waitForCount(count: number, timeoutMs = 20_000): Promise<boolean> {
    return waitFor(`${count} lines (have ${this.lines.length})`, () => this.lines.length >= count, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Appends `sentinel` as a line to `file` and waits until `collector` has received it. Lines of one
 * file arrive in order, so once the sentinel is in, any copy of a line written to that file before
 * it has arrived too: an event to wait on instead of a quiet period. The sentinel must match the
 * collector's filter.
 */
export async function appendSentinel(collector: Collector, file: string, sentinel: string, timeoutMs = 30_000): Promise<void> {
  await appendFile(file, `${sentinel}\n`);
  await waitFor(`the sentinel line "${sentinel}" from ${file}`, () => collector.texts().includes(sentinel), timeoutMs);
}

export async function appendLines(file: string, lines: string[]): Promise<void> {
  await appendFile(file, lines.map((line) => `${line}\n`).join(''));
}

export function numbered(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${String(from + i).padStart(6, '0')}`);
}

/** One match `supergrep search --json` printed. */
interface SearchedLine {
  id: string;
  host: string;
  file: string;
  ts: number;
  eventTs?: number;
  line: string;
}

/** What `supergrep search --json` printed and how it ended. */
export interface CliSearch {
  lines: SearchedLine[];
  stderr: string[];
  code: number | null;
}

/** Runs `supergrep search --json ... REGEX` against a hub through the real CLI and waits (bounded) for it to end. */
export async function searchCli(hubUrl: string, regex: string, args: string[] = [], timeoutMs = 60_000): Promise<CliSearch> {
  const search = new CliProcess(['search', '--hub', hubUrl, '--json', ...args, '--', regex]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      search.kill('SIGKILL');
      reject(new Error(`supergrep search ${regex} ${args.join(' ')} did not end within ${timeoutMs} ms:\n${search.output()}`));
    }, timeoutMs);
  });
  const { code } = await Promise.race([search.closed, timeout]).finally(() => clearTimeout(timer));
  return { lines: search.stdoutLines.filter((line) => line !== '').map((line) => JSON.parse(line) as SearchedLine), stderr: search.stderrLines, code };
}

export { join };
