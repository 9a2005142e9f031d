import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { agentConfigSchema, type AgentConfig } from '../agent/agent-config.js';
import { createLogger } from '../lib/logger.js';
import { readCaFile } from '../lib/tls-trust.js';
import { InvalidArgumentError, Option } from 'commander';
import { collect, parseInteger, untilSignal } from './parse-options.js';
import { parseDuration } from './parse-duration.js';
import { UsageError } from './usage-error.js';

interface AgentFlags {
  hub: string[];
  name?: string;
  token?: string;
  state?: string;
  fromStart?: boolean;
  maxLineBytes?: number;
  logLevel?: string;
  config?: string;
  ca?: string;
  closeIdle?: number;
  journal?: boolean;
  unit?: string[];
  journalFile?: string;
  format?: string;
  multiline?: boolean;
  multilineFlush?: number;
}

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('follow files and globs (and the systemd journal) and stream their lines to a hub')
    .argument('[paths...]', 'files or globs to follow (quote globs so the shell leaves them alone)')
    .requiredOption('--hub <url>', 'hub WebSocket URL, e.g. ws://hub:7070; repeat for fail-over', collect)
    .option('--name <hostname>', 'name to report lines under (default: this machine\'s hostname)')
    .option('--token <token>', 'agent token (or SUPERGREP_TOKEN)')
    .option('--ca <file>', 'PEM file of the CA that signed the hub\'s TLS certificate (wss:// with a private CA)')
    .option('--state <file>', 'checkpoint file (default .supergrep/agent-state.json)')
    .option('--from-start', 'read files that already exist (and the journal, on its first start) from their beginning, not their end')
    .option('--journal', 'follow the systemd journal through journalctl, as the source "journal" (or "journal:<unit>,...")')
    .option('--unit <name>', 'only this systemd unit\'s journal entries; repeat for more (implies --journal)', collect)
    .option('--journal-file <path>', 'a journal file, or a directory of them, instead of the system journal (implies --journal)')
    .option('--max-line-bytes <n>', 'cut longer lines here (default 65536)', parseInteger(1024, 16 * 1024 * 1024))
    .addOption(new Option('--format <format>', 'the files\' line format: plain, cri (Kubernetes /var/log/pods), docker (json-file) or auto, detected per file from its path or first line (default auto)').choices(['auto', 'plain', 'cri', 'docker']))
    .option('--close-idle <duration>', 'close a file read to its end and idle this long, reopen it when it changes (e.g. 30s, 5m; "off" keeps files open; default 5m)', parseCloseIdle)
    .option('--multiline <on|off>', 'join multi-line events such as stack traces into one (default on; rules per path in --config "multiline")', parseOnOff)
    .option('--multiline-flush <duration>', 'send an event at the end of a file once the file has not grown for this long (default 500ms)', parseFlush)
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--config <file>', 'JSON file with any agent option (agent/agent-config.ts: reconnectCapMs, heartbeatIntervalMs, statsIntervalMs...)')
    .action(async (paths: string[], flags: AgentFlags) => {
      const config = loadAgentConfig(paths, flags);
      const logger = createLogger('agent', config.logLevel);
      const { Agent } = await import('../agent/agent.js');
      const agent = new Agent(config, logger);
      await agent.start();
      const signal = await untilSignal();
      logger.info({ signal }, 'agent shutting down');
      await agent.stop();
    });
}

/** Defaults < config file < SUPERGREP_TOKEN < flags; every bad key is reported at once. */
export function loadAgentConfig(paths: string[], flags: AgentFlags, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const fromFile = flags.config === undefined ? {} : readAgentConfigFile(flags.config);
  const input: Record<string, unknown> = { ...fromFile, paths, hubs: flags.hub.map(toWebSocketUrl) };
  const token = flags.token ?? env.SUPERGREP_TOKEN;
  if (token) input.token = token;
  if (flags.name !== undefined) input.name = flags.name;
  if (flags.state !== undefined) input.stateFile = flags.state;
  if (flags.fromStart) input.fromStart = true;
  if (flags.maxLineBytes !== undefined) input.maxLineBytes = flags.maxLineBytes;
  if (flags.logLevel !== undefined) input.logLevel = flags.logLevel;
  if (flags.ca !== undefined) input.caFile = flags.ca;
  if (flags.closeIdle !== undefined) input.closeIdleAfterMs = flags.closeIdle;
  if (flags.format !== undefined) input.format = flags.format;
  if (flags.multiline !== undefined || flags.multilineFlush !== undefined) {
    const fromFile = typeof input.multiline === 'object' && input.multiline !== null ? (input.multiline as Record<string, unknown>) : {};
    input.multiline = {
      ...fromFile,
      ...(flags.multiline !== undefined ? { enabled: flags.multiline } : {}),
      ...(flags.multilineFlush !== undefined ? { flushMs: flags.multilineFlush } : {}),
    };
  }
  if (flags.journal || flags.unit !== undefined || flags.journalFile !== undefined) {
    const fromFile = typeof input.journal === 'object' && input.journal !== null ? (input.journal as Record<string, unknown>) : {};
    input.journal = {
      ...fromFile,
      ...(flags.unit !== undefined ? { units: flags.unit } : {}),
      ...(flags.journalFile !== undefined ? { file: flags.journalFile } : {}),
    };
  }
  const parsed = agentConfigSchema.safeParse(input);
  if (!parsed.success) throw new UsageError(`invalid agent options:\n${z.prettifyError(parsed.error)}`);
  if (parsed.data.caFile !== undefined) {
    try {
      readCaFile(parsed.data.caFile);
    } catch (cause) {
      throw new UsageError((cause as Error).message, { cause });
    }
  }
  return parsed.data;
}

function readAgentConfigFile(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new UsageError(`cannot read agent config file ${path}: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`agent config file ${path} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** `--close-idle`: a duration, or `off` (0: files stay open). */
function parseCloseIdle(text: string): number {
  if (text.trim() === 'off') return 0;
  try {
    return parseDuration(text);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 30s or 5m, or off');
  }
}

function parseOnOff(text: string): boolean {
  const value = text.trim();
  if (value === 'on' || value === 'off') return value === 'on';
  throw new InvalidArgumentError('expected on or off');
}

/** `--multiline-flush`: a duration from 1 ms to 60 s. */
function parseFlush(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 500ms or 2s');
  }
  if (ms < 1 || ms > 60_000) throw new InvalidArgumentError('expected a duration from 1ms to 60s');
  return ms;
}

/** Accepts http(s):// too, since people copy the hub's address from the browser. */
function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://');
}
