import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const CLI = fileURLToPath(new URL('../../bin/supergrep', import.meta.url));

/**
 * A supergrep CLI process started for a test, with its output captured line by line. The CLI must
 * have been built (`npm run build`, which `npm test` does first). It is started as users start it,
 * `bin/supergrep ...`, so each command gets the Node flags its launcher gives it; the launcher's
 * `exec` keeps the process id.
 */
export class CliProcess {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the process has exited and its stdout and stderr are read to their end. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(CLI, args, {
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectLines(this.child.stdout!, this.stdoutLines);
    collectLines(this.child.stderr!, this.stderrLines);
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    this.closed = once(this.child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Structured (pino) log records from stderr. */
  logs(): Array<Record<string, unknown>> {
    const records: Array<Record<string, unknown>> = [];
    for (const line of this.stderrLines) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A partial or foreign line on stderr; only complete JSON records are logs.
      }
    }
    return records;
  }

  waitForLog(what: string, predicate: (record: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    return waitFor(what, () => this.logs().find(predicate), timeoutMs);
  }

  waitForStdout(what: string, predicate: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    return waitFor(what, () => this.stdoutLines.find(predicate), timeoutMs);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(signal);
  }

  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    return [...this.stdoutLines, ...this.stderrLines].join('\n');
  }
}

/** The test runner's environment without SUPERGREP_* settings that would leak into the CLI. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('SUPERGREP_')) env[key] = value;
  }
  return env;
}

function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts);
  });
  stream.on('end', () => {
    if (partial) into.push(partial);
  });
}
