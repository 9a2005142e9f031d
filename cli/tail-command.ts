import type { Command } from 'commander';
import { DEFAULT_LIMITS, patternTooLongMessage, type FilterSpec } from '../protocol/index.js';
import { readCaFile } from '../lib/tls-trust.js';
import { collect, parseInteger } from './parse-options.js';
import { formatJson, formatPlain } from './tail-format.js';
import { UsageError } from './usage-error.js';

interface TailFlags {
  hub: string;
  token?: string;
  ignoreCase?: boolean;
  exclude?: string;
  host: string[];
  file: string[];
  backlog?: number;
  json?: boolean;
  color?: boolean;
  ca?: string;
}

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description('print lines matching REGEX (RE2 syntax) from every host as they arrive, like tail -f | grep')
    .argument('<regex>', 'RE2 pattern; "" matches every line')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'viewer token (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (https:// with a private CA)')
    .option('-i, --ignore-case', 'match without regard to case')
    .option('--exclude <regex>', 'drop lines that also match this RE2 pattern')
    .option('--host <glob>', 'only hosts matching this glob; repeatable', collect, [])
    .option('--file <glob>', 'only files matching this glob (a glob without / matches the file name); repeatable', collect, [])
    .option('--backlog <n>', 'first print up to N recent matching lines the hub still holds', parseInteger(0, 10_000))
    .option('--json', 'print one JSON object per line: id, host, file, ts, time, line, ranges')
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

  const color = flags.color !== false && !flags.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  // Loaded on demand so other commands (and --help) do not pay for the WebSocket client.
  const { HubClient } = await import('../lib/hub-client.js');
  const client = new HubClient({
    hub: flags.hub,
    token: flags.token ?? process.env.SUPERGREP_TOKEN,
    clientName: 'supergrep-tail',
    ...(ca ? { ca } : {}),
  });
  const sub = 'tail';
  const status = (text: string) => process.stderr.write(`supergrep tail: ${text}\n`);

  let wasConnected = false;
  client.on('connected', () => {
    if (wasConnected) status('reconnected');
    wasConnected = true;
  });
  client.on('disconnected', ({ willRetry }) => {
    if (willRetry && wasConnected) status('connection to the hub lost; reconnecting');
  });
  client.on('matches', (_sub, lines) => {
    let out = '';
    for (const line of lines) out += (flags.json ? formatJson(line) : formatPlain(line, color)) + '\n';
    process.stdout.write(out);
  });
  client.on('dropped', (_sub, count) => status(`the hub dropped ${count} matching lines because this terminal read too slowly`));

  const outcome = new Promise<void>((resolve, reject) => {
    client.on('fatal', (error) => reject(new Error(error.message)));
    client.on('hubError', (error) => {
      if (error.sub === sub) reject(new UsageError(error.message));
      else status(error.message);
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
    client.close();
  }
}
