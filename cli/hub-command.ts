import type { Command } from 'commander';
import { createLogger } from '../lib/logger.js';
import type { HubConfig } from '../server/config.js';
import { collect, parseInteger, untilSignal } from './parse-options.js';
import { parseAge, parseDuration } from './parse-duration.js';
import { parseByteSize } from './parse-size.js';
import { UsageError } from './usage-error.js';

interface HubFlags {
  host?: string;
  port?: number;
  data?: string;
  config?: string;
  logLevel?: string;
  statsd?: string;
  tlsCert?: string;
  tlsKey?: string;
  nats?: string;
  allowedHost: string[];
  history?: boolean;
  historyMaxBytes?: number;
  historyMaxAge?: number;
  webhook: string[];
  publicUrl?: string;
  verdictWindow?: number;
  verdictBaseline?: number;
}

export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the hub: agents connect to /ws/agent, viewers to /ws/client, the UI is served at /')
    .option('--host <address>', 'address to listen on; anything but loopback requires tokens (default 127.0.0.1)')
    .option('--port <port>', 'TCP port, 0 for any free one (default 7070)', parseInteger(0, 65535))
    .option('--data <dir>', 'directory for the database of pins, deploys and captures (default .supergrep)')
    .option('--config <file>', 'JSON file with any hub option (see "Configuration" in README.md; each option is documented in server/config.ts)')
    .option('--statsd <host:port>', 'send every pin\'s match count to this StatsD server over UDP')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--tls-cert <file>', 'PEM certificate (chain): serve HTTPS and WSS; needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--allowed-host <name>', 'a host name (optionally name:port) browsers use to reach the hub; others are refused (421); repeatable', collect, [])
    .option('--history-max-bytes <size>', 'disk space for the history of lines in --data, such as 500MiB or 20GiB, oldest deleted first (default 2GiB)', parseByteSize)
    .option('--history-max-age <duration>', 'how long lines are kept in history, such as 12h, 7d or 90d (default 7d)', parseAge)
    .option('--no-history', 'keep lines in memory only: backlog, context and line ids do not survive a restart')
    .option('--webhook <url>', 'POST alert notifications to this Slack-compatible webhook (docs/alerts.md); with no defaultAlerts configured, every pin without rules alerts when a deploy makes it worse; repeatable', collect, [])
    .option('--public-url <url>', 'the address people open the hub at, such as https://logs.example.com: the base of links in alerts')
    .option('--verdict-window <duration>', 'how long after a deploy its verdicts watch each pin, such as 10m or 1h (default 10m)', parseDuration)
    .option('--verdict-baseline <duration>', 'the time before a deploy its window is compared with, such as 1h or 6h (default 1h)', parseDuration)
    .option('--nats <url>', 'join the other hubs on this NATS server (nats://HOST:PORT, JetStream on): one service (docs/scaling.md)')
    .addHelpText(
      'after',
      '\nTokens come from the config file or from SUPERGREP_AGENT_TOKEN, SUPERGREP_VIEWER_TOKEN and\n' +
        'SUPERGREP_EDITOR_TOKEN (comma-separated; "name:secret" names the holder). See docs/security.md.',
    )
    .action(async (flags: HubFlags) => {
      const config = await loadHubConfig(flags);
      // Loaded on demand so `tail` and `--help` do not pay for the hub's modules.
      const { buildRedactor } = await import('../server/redaction/redaction-config.js');
      const { logScrubber } = await import('../server/redaction/log-scrubber.js');
      const logRedactor = buildRedactor(config.redaction);
      const logger = createLogger('hub', config.logLevel, { scrub: logRedactor && logScrubber(logRedactor) });
      const { startHub } = await import('../server/hub.js');
      const hub = await startHub(config, logger);
      const signal = await untilSignal();
      logger.info({ signal }, 'hub shutting down');
      await hub.close();
    });
}

/** Defaults < config file < SUPERGREP_* environment < flags. */
async function loadHubConfig(flags: HubFlags, env: NodeJS.ProcessEnv = process.env): Promise<HubConfig> {
  // Loaded here, not at the top, for the same reason as the hub's other modules (see the action).
  const { ConfigError, hubEnvOverrides, readConfigFile, resolveHubConfig } = await import('../server/config.js');
  try {
    const fromFile = flags.config ? readConfigFile(flags.config) : {};
    const fromFlags: Record<string, unknown> = {};
    if (flags.host !== undefined) fromFlags.host = flags.host;
    if (flags.port !== undefined) fromFlags.port = flags.port;
    if (flags.data !== undefined) fromFlags.dataDir = flags.data;
    if (flags.statsd !== undefined) fromFlags.statsd = flags.statsd;
    if (flags.logLevel !== undefined) fromFlags.logLevel = flags.logLevel;
    if (flags.tlsCert !== undefined) fromFlags.tlsCertFile = flags.tlsCert;
    if (flags.tlsKey !== undefined) fromFlags.tlsKeyFile = flags.tlsKey;
    if (flags.nats !== undefined) fromFlags.nats = flags.nats;
    if (flags.history === false) fromFlags.history = false;
    if (flags.historyMaxBytes !== undefined) fromFlags.historyMaxBytes = flags.historyMaxBytes;
    if (flags.historyMaxAge !== undefined) fromFlags.historyMaxAgeMs = flags.historyMaxAge;
    if (flags.verdictWindow !== undefined) fromFlags.verdictWindowMs = flags.verdictWindow;
    if (flags.verdictBaseline !== undefined) fromFlags.verdictBaselineMs = flags.verdictBaseline;
    if (flags.allowedHost.length > 0) fromFlags.allowedHosts = flags.allowedHost;
    if (flags.publicUrl !== undefined) fromFlags.publicUrl = flags.publicUrl;
    // Added to the file's webhooks; the default rules (verdict-worse) apply unless the file sets defaultAlerts.
    if (flags.webhook.length > 0) fromFlags.webhooks = [...(Array.isArray(fromFile.webhooks) ? fromFile.webhooks : []), ...flags.webhook.map((url) => ({ url, format: 'slack' }))];
    warnUnknownEnv(env);
    return resolveHubConfig({ ...fromFile, ...hubEnvOverrides(env), ...fromFlags });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

const KNOWN_ENV = new Set(['SUPERGREP_AGENT_TOKEN', 'SUPERGREP_VIEWER_TOKEN', 'SUPERGREP_EDITOR_TOKEN', 'SUPERGREP_TOKEN', 'SUPERGREP_LOG_LEVEL', 'SUPERGREP_HUB']);

/** A mistyped SUPERGREP_* variable would otherwise be ignored without a word. */
function warnUnknownEnv(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    if (name.startsWith('SUPERGREP_') && !KNOWN_ENV.has(name)) {
      process.stderr.write(`supergrep: warning: unknown environment variable ${name} is ignored\n`);
    }
  }
}
