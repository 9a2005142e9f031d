import type { Command } from 'commander';
import { DEFAULT_LIMITS, patternTooLongMessage, type FilterSpec } from '../protocol/index.js';
import { readCaFile } from '../lib/tls-trust.js';
import { collect, parseInteger } from './parse-options.js';
import { parseDuration } from './parse-duration.js';
import { escapeControls, formatDeployJson, formatDeployPlain, formatJson, formatPlain } from './tail-format.js';
import { UsageError } from './usage-error.js';

interface TailFlags {
  hub: string;
  token?: string;
  ignoreCase?: boolean;
  exclude?: string;
  host: string[];
  file: string[];
  namespace: string[];
  pod: string[];
  container: string[];
  backlog?: number;
  json?: boolean;
  time?: boolean;
  color?: boolean;
  ca?: string;
  timeout?: number;
}

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description('print lines matching REGEX (RE2 syntax) from every host as they arrive, like tail -f | grep; deploy markers print as divider lines, among the backlog too')
    .argument('<regex>', 'RE2 pattern; "" matches every line')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'viewer token (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (https:// with a private CA)')
    .option('-i, --ignore-case', 'match without regard to case')
    .option('--exclude <regex>', 'drop lines that also match this RE2 pattern')
    .option('--host <glob>', 'only hosts matching this glob; repeatable', collect, [])
    .option('--file <glob>', 'only files matching this glob (a glob without / matches the file name); repeatable', collect, [])
    .option('--namespace <glob>', 'only Kubernetes container logs of a namespace matching this glob; repeatable', collect, [])
    .option('--pod <glob>', 'only Kubernetes container logs of a pod matching this glob; repeatable', collect, [])
    .option('--container <glob>', 'only Kubernetes container logs of a container matching this glob; repeatable', collect, [])
    .option('--backlog <n>', 'first print up to N recent matching lines the hub still holds', parseInteger(0, 10_000))
    .option('--json', 'print one JSON object per line: id, host, file, ts, time, eventTs and eventTime (when the line states its time), line (an event\'s lines joined by \\n), ranges; a deploy marker is {"type":"deploy", id, label, by, url, startedAt, time}')
    .option('--time', 'start each line with its time (ISO-8601 UTC): the one it states, or ~ and when the hub received it when it states none')
    .option('--timeout <duration>', 'exit with status 1 when the hub cannot be reached for this long, at start or after losing it (e.g. 10s, 2m; default: retry for ever)', parseDuration)
    .option('--no-color', 'never colour the output (default: colour when stdout is a terminal)')
    .action(async (regex: string, flags: TailFlags) => {
      await runTail(regex, flags);
    });
}

async function runTail(regex: string, flags: TailFlags): Promise<void> {
  for (const pattern of [regex, flags.exclude ?? '']) {
    if (pattern.length > DEFAULT_LIMITS.maxPatternLength) throw new UsageError(patternTooLongMessage(pattern.length));
  }
  let ca: Buffer | undefined;
  try {
    ca = flags.ca === undefined ? undefined : readCaFile(flags.ca);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
  const filter: FilterSpec = { query: regex };
  if (flags.ignoreCase) filter.caseInsensitive = true;
  if (flags.exclude) filter.exclude = flags.exclude;
  if (flags.host.length) filter.hosts = flags.host;
  if (flags.file.length) filter.files = flags.file;
  if (flags.namespace.length) filter.namespaces = flags.namespace;
  if (flags.pod.length) filter.pods = flags.pod;
  if (flags.container.length) filter.containers = flags.container;

  const color = flags.color !== false && !flags.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  // Loaded on demand so other commands (and --help) do not pay for the WebSocket client.
  const { HubClient } = await import('../lib/hub-client.js');
  const hubUrl = displayedHubUrl(HubClient.clientUrl, flags.hub);
  const client = new HubClient({
    hub: flags.hub,
    token: flags.token ?? process.env.SUPERGREP_TOKEN,
    clientName: 'supergrep-tail',
    reconnectBaseMs: 500,
    ...(ca ? { ca } : {}),
  });
  const sub = 'tail';
  const line = new StatusLine(process.stderr);
  const status = (text: string) => line.print(`supergrep tail: ${text}`);

  let wasConnected = false;
  let failedAttempts = 0;
  let lastFailure: string | undefined;
  let deadline: NodeJS.Timeout | undefined;

  const outcome = new Promise<void>((resolve, reject) => {
    const giveUpAfter = (ms: number) => {
      deadline ??= setTimeout(() => {
        reject(new Error(`cannot reach hub ${hubUrl} within ${formatSeconds(ms)}: ${lastFailure ?? 'no answer'}`));
      }, ms);
    };
    if (flags.timeout !== undefined) giveUpAfter(flags.timeout);

    client.on('connected', () => {
      clearTimeout(deadline);
      deadline = undefined;
      line.clear();
      if (wasConnected) status('reconnected');
      else if (failedAttempts > 0) status(`connected to ${hubUrl}`);
      wasConnected = true;
      failedAttempts = 0;
      lastFailure = undefined;
    });
    client.on('disconnected', ({ code, reason, willRetry, retryInMs, error }) => {
      if (!willRetry || retryInMs === undefined) return;
      if (flags.timeout !== undefined) giveUpAfter(flags.timeout);
      failedAttempts += 1;
      if (wasConnected && failedAttempts === 1) {
        // An established connection ended (the hub restarted): say so once, then report attempts.
        status('connection to the hub lost; reconnecting');
        return;
      }
      lastFailure = escapeControls(error ?? (reason === '' ? `the connection closed (code ${code})` : `the hub closed the connection: ${reason}`));
      line.countdown(`supergrep tail: cannot reach hub ${hubUrl}: ${lastFailure}; retrying in `, retryInMs);
    });
    client.on('matches', (_sub, lines) => {
      let out = '';
      for (const matched of lines) out += (flags.json ? formatJson(matched) : formatPlain(matched, color, flags.time === true)) + '\n';
      process.stdout.write(out);
    });
    // Deploy markers: live ones (for every stream) and those replayed among this backlog, each once.
    const printedDeploys = new Set<string>();
    client.on('message', (message) => {
      if (message.type !== 'deploy' || (message.sub !== undefined && message.sub !== sub)) return;
      if (printedDeploys.has(message.deploy.id)) return;
      printedDeploys.add(message.deploy.id);
      process.stdout.write(`${flags.json ? formatDeployJson(message.deploy) : formatDeployPlain(message.deploy, color)}\n`);
    });
    client.on('dropped', (_sub, count) => status(`the hub dropped ${count} matching lines because this terminal read too slowly`));
    client.on('fatal', (error) => reject(new Error(escapeControls(error.message))));
    client.on('hubError', (error) => {
      if (error.sub === sub) reject(new UsageError(escapeControls(error.message)));
      else status(escapeControls(error.message));
    });
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A closed pipe (`supergrep tail ... | head`) ends the command quietly.
    process.stdout.on('error', stop);
  });

  client.subscribe({ sub, filter, ...(flags.backlog !== undefined ? { backlog: flags.backlog } : {}) });
  client.connect();
  try {
    await outcome;
  } finally {
    clearTimeout(deadline);
    line.clear();
    client.close();
  }
}

/** The viewer socket's URL without any user:password, for messages; a usage error when `hub` is no http(s) or ws(s) URL. */
function displayedHubUrl(clientUrl: (hub: string) => string, hub: string): string {
  let url: URL | undefined;
  try {
    url = new URL(clientUrl(hub));
  } catch {
    // Reported below, like a URL of another scheme.
  }
  if (url === undefined || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    throw new UsageError(`--hub ${escapeControls(hub)} is not a hub URL (expected e.g. http://hub:7070 or wss://hub:7070)`);
  }
  url.username = '';
  url.password = '';
  return escapeControls(url.toString());
}

/** "0.4s", "4s", "2m": a delay as people write it. */
function formatSeconds(ms: number): string {
  if (ms < 1_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10}s`;
  return `${ms / 60_000}m`;
}

/**
 * Connection status on stderr. On a terminal a retry is one line rewritten in place with a
 * countdown; otherwise (a pipe, a log file) each retry is a line of its own.
 */
class StatusLine {
  private ticker: NodeJS.Timeout | undefined;
  private live = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  print(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  /** `prefix` followed by the time left until `ms` from now. */
  countdown(prefix: string, ms: number): void {
    this.clear();
    if (!this.tty) {
      this.stream.write(`${prefix}${formatSeconds(ms)}\n`);
      return;
    }
    const until = Date.now() + ms;
    const draw = () => {
      this.stream.write(`\r\u001b[2K${prefix}${formatSeconds(Math.max(0, until - Date.now()))}`);
      this.live = true;
    };
    draw();
    this.ticker = setInterval(draw, 250);
    this.ticker.unref();
  }

  /** Removes the line being rewritten, if any. */
  clear(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.live) this.stream.write('\r\u001b[2K');
    this.live = false;
  }
}
