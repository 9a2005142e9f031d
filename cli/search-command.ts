import type { Command } from 'commander';
import { DEFAULT_LIMITS, parseTimeBound, patternTooLongMessage } from '../protocol/index.js';
import { readCaFile } from '../lib/tls-trust.js';
import { collect, parseInteger } from './parse-options.js';
import { runHubSearch } from './search-runner.js';
import { escapeControls } from './tail-format.js';
import { UsageError } from './usage-error.js';

interface SearchFlags {
  hub: string;
  token?: string;
  ca?: string;
  from?: string;
  to?: string;
  ignoreCase?: boolean;
  exclude?: string;
  host: string[];
  file: string[];
  namespace: string[];
  pod: string[];
  container: string[];
  json?: boolean;
  limit: number;
  order: string;
  color?: boolean;
}

/** Most matches one command prints; pages of SEARCH_LIMITS.maxLimit are fetched until then. */
const MAX_TOTAL_LIMIT = 1_000_000_000;

export function registerSearchCommand(program: Command): void {
  program
    .command('search')
    .description('print the lines of the hub\'s history that match REGEX (RE2 syntax), in time order')
    .argument('<regex>', 'RE2 pattern; "" matches every line')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'viewer token (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (https:// with a private CA)')
    .option('--from <time>', 'oldest line time: ISO 8601, ms since the epoch, or a duration before now (15m, 2h, 7d); default: all history')
    .option('--to <time>', 'newest line time, same forms as --from; default: now and later')
    .option('-i, --ignore-case', 'match without regard to case')
    .option('--exclude <regex>', 'drop lines that also match this RE2 pattern')
    .option('--host <glob>', 'only hosts matching this glob; repeatable', collect, [])
    .option('--file <glob>', 'only files matching this glob (a glob without / matches the file name); repeatable', collect, [])
    .option('--namespace <glob>', 'only Kubernetes container logs of a namespace matching this glob; repeatable', collect, [])
    .option('--pod <glob>', 'only Kubernetes container logs of a pod matching this glob; repeatable', collect, [])
    .option('--container <glob>', 'only Kubernetes container logs of a container matching this glob; repeatable', collect, [])
    .option('--limit <n>', 'print at most N matches (fetched in pages of up to 10,000)', parseInteger(1, MAX_TOTAL_LIMIT), 1_000)
    .option('--order <order>', 'desc: newest first; asc: oldest first', 'desc')
    .option('--json', 'print one JSON object per line: id, host, file, ts, time, line, ranges; a deploy marker within the results is {"type":"deploy", id, label, by, url, startedAt, time}')
    .option('--no-color', 'never colour the output (default: colour when stdout is a terminal)')
    .action(async (regex: string, flags: SearchFlags) => {
      await runSearchCommand(regex, flags);
    });
}

/** A --from or --to as ms since the epoch, resolved once against this machine's clock so every page searches the same range. */
function timeFlag(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimeBound(text, now);
  if (ms === undefined) throw new UsageError(`--${name} ${escapeControls(text)} is not a time: expected e.g. 2h, 7d, 2026-12-07T10:00:00Z or now`);
  return ms;
}

async function runSearchCommand(regex: string, flags: SearchFlags): Promise<void> {
  for (const pattern of [regex, flags.exclude ?? '']) {
    if (pattern.length > DEFAULT_LIMITS.maxPatternLength) throw new UsageError(patternTooLongMessage(pattern.length));
  }
  if (flags.order !== 'asc' && flags.order !== 'desc') throw new UsageError(`--order ${escapeControls(flags.order)}: expected asc or desc`);
  const now = Date.now();
  const from = timeFlag('from', flags.from, now);
  const to = timeFlag('to', flags.to, now);
  if (from !== undefined && to !== undefined && from > to) throw new UsageError('--from is after --to');
  let hub: URL;
  try {
    hub = new URL(flags.hub.replace(/^ws(s?):\/\//, 'http$1://'));
  } catch (cause) {
    throw new UsageError(`--hub ${escapeControls(flags.hub)} is not a URL (expected e.g. http://hub:7070)`, { cause });
  }
  if (hub.protocol !== 'http:' && hub.protocol !== 'https:') throw new UsageError(`--hub ${escapeControls(flags.hub)} is not a hub URL (expected e.g. http://hub:7070)`);
  let ca: Buffer | undefined;
  try {
    ca = flags.ca === undefined ? undefined : readCaFile(flags.ca);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A closed pipe (`supergrep search ... | head`) ends the command quietly.
  process.stdout.on('error', stop);
  try {
    const outcome = await runHubSearch({
      hub,
      token: flags.token ?? process.env.SUPERGREP_TOKEN,
      ca,
      params: { query: regex, exclude: flags.exclude, ignoreCase: flags.ignoreCase, hosts: flags.host, files: flags.file, namespaces: flags.namespace, pods: flags.pod, containers: flags.container, from, to, order: flags.order },
      limit: flags.limit,
      json: flags.json === true,
      color: flags.color !== false && !flags.json && process.stdout.isTTY === true && !process.env.NO_COLOR,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: controller.signal,
    });
    for (const reason of outcome.partial) process.stderr.write(`supergrep search: results are partial: ${reason}\n`);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
