import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../lib/logger.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import { ReconnectBackoff } from '../../protocol/index.js';
import { JOURNAL_FIELDS, parseJournalLine, type JournalRecord } from './journal-record.js';

/** journalctl's JSON for one entry longer than this is skipped (and reported) rather than held. */
const MAX_RECORD_JSON_BYTES = 16 * 1024 * 1024;
/** What is kept of journalctl's standard error, for the message when it exits. */
const STDERR_KEPT_CHARS = 2_000;
const RESTART_BASE_MS = 500;
const RESTART_CAP_MS = 30_000;

export interface JournalQuery {
  /** `--unit` of each; none is the whole journal. */
  units: string[];
  /** An absolute journal file (`--file`) or directory (`--directory`); none is the system journal. */
  path?: { kind: 'file' | 'directory'; path: string } | undefined;
  /** Without a cursor: the whole journal (`--no-tail`) or only what comes next (`--lines=0`). */
  fromStart: boolean;
}

/** journalctl's arguments: follow in JSON from just after `cursor` (or as `query.fromStart` says). */
export function journalctlArgs(query: JournalQuery, cursor: string | undefined): string[] {
  const args = ['--follow', '--output=json', '--all', '--no-pager', `--output-fields=${JOURNAL_FIELDS.join(',')}`];
  if (cursor !== undefined) args.push(`--after-cursor=${cursor}`);
  else args.push(query.fromStart ? '--no-tail' : '--lines=0');
  for (const unit of query.units) args.push(`--unit=${unit}`);
  if (query.path) args.push(`--${query.path.kind}=${query.path.path}`);
  return args;
}

export interface JournalReaderOptions {
  query: JournalQuery;
  /** The journalctl program (a name looked up in PATH, or a path). */
  command: string;
  /** The last entry already taken: reading starts right after it. */
  cursor: string | undefined;
  /** Each entry, in journal order. */
  onRecords: (records: JournalRecord[]) => void;
}

/**
 * Runs `journalctl --follow -o json` and hands its entries on. When journalctl cannot be started or
 * exits, the reason is logged and it is started again after a backoff, from just after the last
 * entry it handed on, so the entries continue without a gap or a repeat.
 */
export class JournalReader {
  private child: ChildProcess | undefined;
  private cursor: string | undefined;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private skippingLongRecord = false;
  private paused = false;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff = new ReconnectBackoff({ baseMs: RESTART_BASE_MS, capMs: RESTART_CAP_MS, minMs: RESTART_BASE_MS });
  private readonly badRecordLog = new LogThrottle(10_000);
  private exited: Promise<void> = Promise.resolve();
  /** Times journalctl ended (or could not start) and was started again. */
  restarts = 0;
  badRecords = 0;

  constructor(
    private readonly options: JournalReaderOptions,
    private readonly logger: Logger,
  ) {
    this.cursor = options.cursor;
  }

  start(): void {
    this.run();
  }

  /** Stops reading journalctl's output (it blocks once the pipe is full), until resume(). */
  pause(): void {
    this.paused = true;
    this.child?.stdout?.pause();
  }

  resume(): void {
    this.paused = false;
    this.child?.stdout?.resume();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.child?.kill('SIGTERM');
    await this.exited;
  }

  private run(): void {
    const args = journalctlArgs(this.options.query, this.cursor);
    this.logger.debug({ command: this.options.command, args }, 'starting journalctl');
    const child = spawn(this.options.command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.partial = [];
    this.partialBytes = 0;
    this.skippingLongRecord = false;
    let stderr = '';
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout.on('data', (chunk: Buffer) => this.take(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT_CHARS);
    });
    if (this.paused) child.stdout.pause();
    this.exited = new Promise((resolve) => {
      let done = false;
      const ended = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        if (this.child === child) this.child = undefined;
        resolve();
        if (this.stopped) return;
        this.restarts += 1;
        const delayMs = this.backoff.next();
        const context = { command: this.options.command, args, code, signal, stderr: stderr.trim(), restartInMs: delayMs };
        if (spawnError?.code === 'ENOENT') {
          this.logger.error({ ...context, err: spawnError }, 'journalctl not found: install systemd (it provides journalctl) or set journal.command; will retry');
        } else if (spawnError) {
          this.logger.error({ ...context, err: spawnError }, 'cannot start journalctl; will retry');
        } else {
          this.logger.error(context, 'journalctl exited; restarting it after the last entry read');
        }
        this.restartTimer = setTimeout(() => this.run(), delayMs);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error;
        // A failed spawn emits no 'close' on every Node version.
        if (child.pid === undefined) ended(null, null);
      });
      child.on('close', ended);
    });
  }

  /** Splits journalctl's output into entries (one JSON object per line). */
  private take(chunk: Buffer): void {
    if (this.stopped) return;
    const records: JournalRecord[] = [];
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (this.skippingLongRecord) {
        this.skippingLongRecord = false;
        continue;
      }
      const line = this.partialBytes === 0 ? piece : Buffer.concat([...this.partial, piece]);
      this.partial = [];
      this.partialBytes = 0;
      if (line.length === 0) continue;
      this.parse(line, records);
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !this.skippingLongRecord) {
      this.partialBytes += rest.length;
      if (this.partialBytes > MAX_RECORD_JSON_BYTES) {
        this.partial = [];
        this.partialBytes = 0;
        this.skippingLongRecord = true;
        this.bad(`an entry longer than ${MAX_RECORD_JSON_BYTES} bytes of JSON`);
      } else {
        this.partial.push(Buffer.from(rest));
      }
    }
    if (records.length === 0) return;
    this.backoff.reset();
    this.cursor = records.at(-1)!.__CURSOR;
    this.options.onRecords(records);
  }

  private parse(line: Buffer, records: JournalRecord[]): void {
    const parsed = parseJournalLine(line.toString('utf8'));
    if ('error' in parsed) this.bad(parsed.error);
    else records.push(parsed.record);
  }

  private bad(reason: string): void {
    this.badRecords += 1;
    this.badRecordLog.run((suppressed) => this.logger.warn({ reason, suppressed }, 'skipped a journal entry journalctl printed that the agent cannot read'));
  }
}
