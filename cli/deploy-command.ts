import type { Command } from 'commander';
import { deploySchema, deployVerdictsSchema, pinListSchema, type Deploy, type Pin } from '../protocol/index.js';
import { readCaFile } from '../lib/tls-trust.js';
import { watchVerdicts } from './deploy-watch.js';
import { getJson, refusalText } from './hub-json.js';
import { postJson } from './http-post.js';
import { collect } from './parse-options.js';
import { parseDuration } from './parse-duration.js';
import { escapeControls } from './tail-format.js';
import { UsageError } from './usage-error.js';
import { deployRecord, formatSpan, formatWatchStart } from './verdict-format.js';
import { EXIT_WORSE, type SelectedPin } from './verdict-gate.js';

interface DeployFlags {
  hub: string;
  token?: string;
  by?: string;
  url?: string;
  ca?: string;
  watch?: number;
  pin?: string[];
  json?: boolean;
  failFast?: boolean;
  timeout?: number;
  pollInterval?: number;
}

/** The verdict window a deploy may ask for (protocol/http/deploy.ts). */
const MIN_WATCH_MS = 60_000;
const MAX_WATCH_MS = 24 * 60 * 60_000;
const DEFAULT_UNREACHABLE_TIMEOUT_MS = 120_000;
const DEFAULT_POLL_INTERVAL_MS = 2_000;

/** How long after the window the hub may take to mark every verdict final before the watch fails. */
function settleMarginMs(windowMs: number): number {
  return Math.max(120_000, Math.round(windowMs / 10));
}

const EXIT_CODES_HELP = `
Exit codes:
  0  the deploy was marked; with --watch, every selected pin's verdict is final and none is worse
  ${EXIT_WORSE}  with --watch, some selected pin is worse after the deploy (at once with --fail-fast)
  1  an error: the hub refused or was unreachable (with --watch, for longer than --timeout), an
     unknown --pin (then nothing is posted), an answer that is not what the hub sends, or no final
     verdicts 2 minutes (or a tenth of the window, if longer) after the window ended
  2  bad flags

A verdict compares a pin's match rate in the window after the deploy with the hour before it; the
hub marks it final when the window ends, or earlier when the next deploy starts.`;

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('mark a deploy: a divider in every live stream and a line on every pin\'s graph; with --watch, gate CI on the pins\' verdicts')
    .argument('<label>', 'what was deployed, e.g. "web 2026-11-26.3"')
    .requiredOption('--hub <url>', 'hub address, e.g. http://hub:7070', process.env.SUPERGREP_HUB)
    .option('--token <token>', 'editor token: only editors may post deploys (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (https:// with a private CA)')
    .option('--by <who>', 'who deployed (default: $USER)')
    .option('--url <url>', 'link to the change or the pipeline run')
    .option('--watch <duration>', 'then watch the pins\' verdicts for this long after the deploy (1m to 24h, e.g. 10m), print them as they change, and exit 0 or 3 once they are final', parseDuration)
    .option('--pin <name>', 'with --watch: judge the deploy by this pin; repeatable (default: every pin)', collect)
    .option('--json', 'with --watch: print one JSON record per line: the deploy, each verdict change, a summary')
    .option('--fail-fast', 'with --watch: exit 3 at the first worse verdict, before the window ends')
    .option('--timeout <duration>', 'with --watch: exit 1 when the hub stays unreachable this long (default 2m)', parseDuration)
    .option('--poll-interval <duration>', 'with --watch: how often to ask the hub for verdicts (default 2s)', parseDuration)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (label: string, flags: DeployFlags) => {
      const code = await runDeploy(label, flags);
      if (code !== 0) process.exitCode = code;
    });
}

function checkFlags(flags: DeployFlags): void {
  if (flags.watch === undefined) {
    const needWatch = [
      flags.pin !== undefined && '--pin',
      flags.json && '--json',
      flags.failFast && '--fail-fast',
      flags.timeout !== undefined && '--timeout',
      flags.pollInterval !== undefined && '--poll-interval',
    ].filter(Boolean);
    if (needWatch.length > 0) throw new UsageError(`${needWatch.join(', ')} only apply with --watch`);
  } else if (flags.watch < MIN_WATCH_MS || flags.watch > MAX_WATCH_MS) {
    throw new UsageError(`--watch ${formatSpan(flags.watch)}: expected from 1m to 24h (the verdict window after the deploy)`);
  }
}

function hubUrl(text: string): URL {
  let hub: URL;
  try {
    hub = new URL(text.replace(/^ws(s?):\/\//, 'http$1://'));
  } catch (cause) {
    throw new UsageError(`--hub ${escapeControls(text)} is not a URL (expected e.g. http://hub:7070)`, { cause });
  }
  if (hub.protocol !== 'http:' && hub.protocol !== 'https:') throw new UsageError(`--hub ${escapeControls(text)} is not a hub URL (expected e.g. http://hub:7070)`);
  return hub;
}

/** The pins named by --pin (all of them without it); an unknown name fails before anything is posted. */
function selectPins(pins: readonly Pin[], names: readonly string[]): SelectedPin[] {
  const chosen = names.length === 0 ? pins : pins.filter((pin) => names.includes(pin.name));
  const unknown = [...new Set(names)].filter((name) => !pins.some((pin) => pin.name === name));
  if (unknown.length > 0) {
    const known = pins.slice(0, 20).map((pin) => JSON.stringify(pin.name)).join(', ') + (pins.length > 20 ? ', …' : '');
    throw new Error(
      `no pin named ${unknown.map((name) => JSON.stringify(name)).join(', ')} on the hub (${pins.length === 0 ? 'it has no pins' : `its pins: ${escapeControls(known)}`}); no deploy was posted`,
    );
  }
  return chosen.map((pin) => ({ id: pin.id, name: pin.name }));
}

function parseDeploy(text: string): Deploy {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below with the rest of what does not fit.
  }
  const parsed = deploySchema.safeParse(body);
  if (!parsed.success) throw new Error(`POST /api/deploys: the hub's answer is not a deploy: ${escapeControls(text.slice(0, 200))}`);
  return parsed.data;
}

async function runDeploy(label: string, flags: DeployFlags): Promise<number> {
  checkFlags(flags);
  const token = flags.token ?? process.env.SUPERGREP_TOKEN;
  const by = flags.by ?? process.env.USER;
  const hub = hubUrl(flags.hub);
  let ca: Buffer | undefined;
  try {
    ca = flags.ca === undefined ? undefined : readCaFile(flags.ca);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const request = { headers, ca, idleTimeoutMs: 30_000 };

  const windowMs = flags.watch;
  const pins = windowMs === undefined ? [] : selectPins(await getJson(new URL('/api/pins', hub), pinListSchema, request), flags.pin ?? []);
  const { status, text } = await postJson(
    new URL('/api/deploys', hub),
    { label, ...(by ? { by } : {}), ...(flags.url ? { url: flags.url } : {}), ...(windowMs === undefined ? {} : { windowMs }) },
    { headers, ca },
  );
  if (status < 200 || status >= 300) throw new Error(`POST /api/deploys: the hub answered ${refusalText(status, text)}`);
  if (windowMs === undefined) {
    process.stdout.write(`${text}\n`);
    return 0;
  }

  const deploy = parseDeploy(text);
  const json = flags.json === true;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const warn = (line: string) => process.stderr.write(`supergrep deploy: ${line}\n`);
  print(json ? deployRecord(deploy, windowMs, pins) : formatWatchStart(deploy, windowMs, pins));
  if (pins.length === 0) warn('the hub has no pins: there is nothing to judge the deploy by');
  const margin = settleMarginMs(windowMs);
  return watchVerdicts({
    pins,
    failFast: flags.failFast === true,
    json,
    pollIntervalMs: flags.pollInterval ?? DEFAULT_POLL_INTERVAL_MS,
    unreachableTimeoutMs: flags.timeout ?? DEFAULT_UNREACHABLE_TIMEOUT_MS,
    deadline: Date.now() + windowMs + margin,
    deadlineText: `the hub has not settled them ${formatSpan(margin)} after the ${formatSpan(windowMs)} window`,
    fetchVerdicts: () => getJson(new URL(`/api/deploys/${encodeURIComponent(deploy.id)}/verdicts`, hub), deployVerdictsSchema, request),
    print,
    warn,
  });
}
