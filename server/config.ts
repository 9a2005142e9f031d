import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { alertRulesSchema, compileGlob, DEFAULT_LIMITS, GlobSyntaxError, webhookFormatSchema } from '../protocol/index.js';
import { parseToken, type NamedToken } from '../lib/tokens.js';
import { parseStatsdTarget } from './pins/statsd-target.js';
import { proxyAuthSchema } from './access/proxy-auth.js';
import { allowedHostProblem } from './access/host-check.js';
import { addressEntryProblem } from './access/trusted-proxies.js';
import { redactionConfigSchema } from './redaction/redaction-config.js';

const tokenSchema = z.string().min(1).transform(parseToken);

/**
 * Every hub option, with its default. The same keys are accepted in the JSON file given by
 * `--config`; command-line flags and SUPERGREP_* variables override the file.
 */
const hubConfigSchema = z.strictObject({
  /** Address to listen on. Anything but loopback requires tokens. */
  host: z.string().default('127.0.0.1'),
  /** TCP port; 0 picks a free one (the chosen port is logged). */
  port: z.number().int().min(0).max(65535).default(7070),
  /** Directory for the hub's database (pins, deploys, captures). */
  dataDir: z.string().default('.supergrep'),
  /**
   * Keep every accepted line on disk in `<dataDir>/history` (docs/operations.md, "History"): the
   * backlog, context and line ids survive a restart. False: lines live only in the backlog.
   */
  history: z.boolean().default(true),
  /** Bytes of history segment files kept; the oldest segments are deleted first. */
  historyMaxBytes: z.number().int().positive().default(2 * 1024 * 1024 * 1024),
  /** Age (since stored) past which history is deleted. */
  historyMaxAgeMs: z.number().int().positive().default(7 * 24 * 60 * 60_000),
  /** Tokens agents must present. Empty: agents need none (loopback only). */
  agentTokens: z.array(tokenSchema).default([]),
  /**
   * Host names each agent token may send lines as, by token name: `{ "web": ["web-*"] }`. A token
   * listed here may say hello only as a host matching one of its globs; a token not listed may
   * claim any host name nobody else owns (docs/security.md, "Host ownership").
   */
  agentHosts: z.record(z.string().min(1).max(64), z.array(z.string().min(1).max(253)).min(1).max(1000)).default({}),
  /** A host whose agents stayed away this long may be claimed by another agent token. */
  hostOwnershipTtlMs: z.number().int().positive().default(7 * 24 * 60 * 60_000),
  /** Distinct hosts one agent token may have listed at once: fake host names cannot grow the hub's memory without bound. */
  maxHostsPerAgentToken: z.number().int().positive().default(1000),
  /** Files one host may have listed at once (an agent's globs over a log directory rarely reach a hundred). */
  maxFilesPerAgentHost: z.number().int().positive().default(1000),
  /** Files all hosts of one agent token may have listed at once. */
  maxFilesPerAgentToken: z.number().int().positive().default(20_000),
  /**
   * A lines frame whose `ts` is not a number within this much of the hub's clock gets the hub's
   * clock instead (counted in supergrep_agent_timestamps_replaced_total): viewers never see a time
   * no date can hold.
   */
  maxAgentClockSkewMs: z.number().int().positive().default(24 * 60 * 60_000),
  /** Tokens viewers must present: read streams, context, pins, deploys, captures. */
  viewerTokens: z.array(tokenSchema).default([]),
  /** Tokens of editors: what viewers may do, plus creating and deleting pins, deploy markers and captures. */
  editorTokens: z.array(tokenSchema).default([]),
  /**
   * Reverse proxies (IP addresses or CIDR blocks) whose identity headers are believed, see
   * proxyAuth. Loopback is not trusted unless listed. A request from elsewhere that carries the
   * headers is refused (403) and logged.
   */
  trustedProxies: z
    .array(z.string().superRefine((entry, ctx) => {
      const problem = addressEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }))
    .default([]),
  /** Identity from an authenticating reverse proxy's headers (oauth2-proxy: X-Forwarded-User), mapped to a role. */
  proxyAuth: proxyAuthSchema.optional(),
  /** PEM certificate chain: with tlsKeyFile, the hub serves HTTPS and WSS only. */
  tlsCertFile: z.string().min(1).optional(),
  /** PEM private key of tlsCertFile. */
  tlsKeyFile: z.string().min(1).optional(),
  /**
   * Host names (optionally with a port) browsers use to reach the hub, besides localhost, 127.0.0.1
   * and [::1]: requests for any other Host are refused (421), against DNS rebinding. On a non-loopback
   * address with none listed, every Host is accepted and a warning is logged (docs/security.md).
   */
  allowedHosts: z
    .array(z.string().superRefine((entry, ctx) => {
      const problem = allowedHostProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }))
    .default([]),
  /** Origins, besides the hub's own, whose pages may open viewer WebSockets. */
  allowedOrigins: z.array(z.string()).default([]),
  /** Longest line kept; longer ones are cut (agents cut at their own limit first). */
  maxLineBytes: z.number().int().positive().default(DEFAULT_LIMITS.maxLineBytes),
  /** Largest agent frame accepted; a larger one closes that agent's connection. */
  maxAgentFrameBytes: z.number().int().positive().default(DEFAULT_LIMITS.maxAgentFrameBytes),
  /** Largest viewer message accepted. */
  maxClientMessageBytes: z.number().int().positive().default(DEFAULT_LIMITS.maxClientMessageBytes),
  /** Recent lines kept per source file for backlog and context, in bytes. */
  backlogBytesPerSource: z.number().int().positive().default(1024 * 1024),
  /**
   * Bound on the memory all backlog rings keep allocated together (not just the lines' bytes: a
   * small batch copy keeps a whole 8 KiB pool slab alive); sources over the average are trimmed
   * first. The hub's RSS is what it needs with no backlog (heap, connections) plus this bound plus
   * the evicted batches V8 has not collected yet (up to about as much again); the default keeps the
   * fan-out benchmark under its 300 MB target (docs/performance.md).
   */
  backlogTotalBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Matching lines queued for one viewer, in bytes, before the oldest are dropped. */
  clientQueueBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Bytes the socket may hold unsent before a viewer counts as slow and its queue stops draining. */
  clientSocketHighWaterBytes: z.number().int().positive().default(1024 * 1024),
  /**
   * How long matches for a viewer are coalesced while its socket still holds unsent bytes (and how
   * often a slow viewer's socket is looked at again). A viewer whose socket is idle gets new matches
   * at the end of the event-loop turn that produced them.
   */
  clientFlushIntervalMs: z.number().int().positive().default(25),
  /** Queued bytes for one viewer that trigger a send at once instead of waiting for the flush interval. */
  clientFlushBytes: z.number().int().positive().default(32 * 1024),
  /** Subscriptions one viewer connection may hold at a time; one more is refused with SG_ERR_LIMIT. */
  maxSubscriptionsPerViewer: z.number().int().positive().default(20),
  /** Viewer connections the hub accepts at once; one more is closed with 4429 / SG_ERR_LIMIT. */
  maxViewers: z.number().int().positive().default(1000),
  /**
   * Lines per second one agent connection may send (a token bucket holding one second's worth).
   * Lines over it are dropped, acknowledged and counted (supergrep_agent_rate_dropped_lines_total),
   * never queued. Absent: no limit.
   */
  maxAgentLinesPerSec: z.number().int().positive().optional(),
  /** Time a new agent or viewer connection has to send its hello before it is closed. */
  helloTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Resume points remembered per agent host (one per file generation); the least recently written
   * is forgotten first, so a host that rotates many files cannot grow the hub's memory.
   */
  resumeFileIdsPerHost: z.number().int().positive().default(1024),
  /**
   * Largest JSON request body accepted by /api routes. Sized for captures: 10,000 lines of about
   * 1 KiB each, as JSON, come to some 12 MiB. Bodies are read only after the token check.
   */
  maxApiBodyBytes: z.number().int().positive().default(16 * 1024 * 1024),
  /** Directory of the built UI; default `dist/ui` of this installation. */
  uiDir: z.string().optional(),
  /** Ping interval; a peer that misses a whole interval is terminated. */
  heartbeatIntervalMs: z.number().int().positive().default(15_000),
  /** How often viewers get the list of agents and files with their rates. */
  sourcesIntervalMs: z.number().int().positive().default(2_000),
  /**
   * How long a disconnected agent stays listed in sources (and keeps its backlog and resume points);
   * a file that sent nothing for this long is forgotten too.
   */
  agentForgetAfterMs: z.number().int().positive().default(10 * 60_000),
  /** Per-host series on /metrics of a host disconnected for this long are removed. */
  metricsHostRetentionMs: z.number().int().positive().default(60 * 60_000),
  /**
   * Largest `sources` list sent to viewers, in bytes of JSON; beyond it the hub lists connected and
   * busy hosts first and says how many it left out. It goes to every viewer every few seconds.
   */
  maxSourcesMessageBytes: z.number().int().positive().default(256 * 1024),
  /** StatsD target "host:port" (IPv6 as "[::1]:8125") for pin counters; absent disables StatsD. */
  statsd: z
    .string()
    .refine((text) => parseStatsdTarget(text) !== undefined, 'expected "host:port" with a port from 1 to 65535')
    .optional(),
  /** Prepended to every StatsD metric name: "supergrep." gives "supergrep.pin.<name>.matches". */
  statsdPrefix: z.string().max(100).default('supergrep.'),
  /** How often each pin's matches are summed into one StatsD increment. */
  statsdFlushIntervalMs: z.number().int().positive().default(1_000),
  /** Most pins the hub keeps; creating one more is refused with SG_ERR_LIMIT. Each pin is a live filter. */
  maxPins: z.number().int().positive().max(10_000).default(200),
  /** How often pin match counts are written to the database (they are also written on shutdown). */
  pinFlushIntervalMs: z.number().int().positive().default(5_000),
  /** How long pin match counts (10 s buckets) are kept; older ones are pruned. At least an hour. */
  pinRetentionMs: z.number().int().min(60 * 60_000).default(24 * 60 * 60_000),
  /** How long after a deploy its verdicts watch each pin, unless the deploy gives its own `windowMs` (docs/verdicts.md). */
  verdictWindowMs: z.number().int().min(60_000).max(24 * 60 * 60_000).default(10 * 60_000),
  /** The baseline before a deploy that its window is compared with; only the part pin counts cover is used. */
  verdictBaselineMs: z.number().int().min(60_000).max(7 * 24 * 60 * 60_000).default(60 * 60_000),
  /** The chance a verdict wrongly says `worse` (or `better`) at any moment of a window where nothing changed. */
  verdictAlpha: z.number().positive().max(0.5).default(0.01),
  /**
   * Where alert notifications are POSTed (docs/alerts.md): `format` "slack" sends `{"text": ...}`
   * (Slack, Mattermost, most chat tools), "json" the generic AlertNotification. `name` labels the
   * webhook in logs and metrics (default: its host; the URL itself is never logged).
   */
  webhooks: z
    .array(z.strictObject({ url: z.url({ protocol: /^https?$/ }).max(2000), format: webhookFormatSchema.default('slack'), name: z.string().trim().min(1).max(100).optional() }))
    .max(20)
    .default([]),
  /** The alert rules of every pin created without `alerts` of its own. */
  defaultAlerts: alertRulesSchema.default([{ kind: 'verdict-worse' }]),
  /** The address people open the hub at ("https://logs.example.com"): the base of links in alerts. Absent: the listen address. */
  publicUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  /**
   * NATS server URL(s), comma-separated ("nats://127.0.0.1:4222"): hubs given the same NATS form one
   * service (docs/scaling.md). Lines flow between hubs by interest; pins, deploys and captures live
   * in JetStream (nats-server -js) instead of this hub's SQLite. Absent: a single hub.
   */
  nats: z
    .string()
    .refine((text) => text.split(',').every((url) => /^(nats|tls):\/\/[^\s/]+$/.test(url.trim())), 'expected nats://HOST:PORT (several separated by commas)')
    .optional(),
  /** How long the hub waits for NATS: the first connection, JetStream calls, other hubs' backlog and context answers. */
  natsTimeoutMs: z.number().int().positive().default(2_000),
  /** Secrets replaced in every line before it leaves the hub: built-in rules to disable, rules to add. */
  redaction: redactionConfigSchema,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type HubConfig = z.output<typeof hubConfigSchema> & { agentTokens: NamedToken[]; viewerTokens: NamedToken[]; editorTokens: NamedToken[] };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

export class ConfigError extends Error {}

/** Reads a JSON config file; every problem in it is reported at once. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('top level must be an object');
    return value as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not a JSON object: ${(cause as Error).message}`, { cause });
  }
}

type TokenKey = 'agentTokens' | 'viewerTokens' | 'editorTokens';

/** Tokens from SUPERGREP_AGENT_TOKEN / _VIEWER_TOKEN / _EDITOR_TOKEN (comma-separated), as raw strings for the schema. */
export function hubEnvOverrides(env: NodeJS.ProcessEnv): Partial<Record<TokenKey, string[]>> {
  const out: Partial<Record<TokenKey, string[]>> = {};
  const split = (text: string | undefined) => (text ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  const agent = split(env.SUPERGREP_AGENT_TOKEN);
  const viewer = split(env.SUPERGREP_VIEWER_TOKEN);
  const editor = split(env.SUPERGREP_EDITOR_TOKEN);
  if (agent.length) out.agentTokens = agent;
  if (viewer.length) out.viewerTokens = viewer;
  if (editor.length) out.editorTokens = editor;
  return out;
}

/** The rules between options, each broken one as a line; empty when all hold. */
function crossOptionProblems(config: HubConfig): string[] {
  const problems: string[] = [];
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    problems.push('tlsCertFile and tlsKeyFile go together: give both (--tls-cert and --tls-key) or neither');
  }
  if (config.proxyAuth !== undefined && config.trustedProxies.length === 0) {
    problems.push('proxyAuth needs trustedProxies: the addresses of the proxies whose identity headers may be believed');
  }
  const agentSecrets = new Set(config.agentTokens.map((token) => token.secret));
  if ([...config.viewerTokens, ...config.editorTokens].some((token) => agentSecrets.has(token.secret))) {
    problems.push('a token is both an agent token and a viewer or editor token: agents must never be able to read, so give them their own');
  }
  const agentTokenNames = new Set(config.agentTokens.map((token) => token.name));
  const unknownNames = Object.keys(config.agentHosts).filter((name) => !agentTokenNames.has(name));
  if (unknownNames.length > 0) {
    problems.push(`agentHosts names ${unknownNames.map((name) => `"${name}"`).join(', ')}, which no agent token has: give agent tokens as name:secret with those names`);
  }
  for (const glob of Object.values(config.agentHosts).flat()) {
    try {
      compileGlob(glob);
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      problems.push(`agentHosts: ${error.message}`);
    }
  }
  for (const name of config.redaction.trustedAgents) {
    if (!agentTokenNames.has(name)) problems.push(`redaction.trustedAgents names "${name}", which is no agent token's name (give agent tokens as name:secret)`);
  }
  if (!isLoopback(config.host)) {
    const readersAuthenticated = config.viewerTokens.length > 0 || config.editorTokens.length > 0 || config.proxyAuth !== undefined;
    if (config.agentTokens.length === 0 || !readersAuthenticated) {
      problems.push(
        `refusing to listen on ${config.host} without tokens: anyone who can reach it could ` +
          (readersAuthenticated ? 'send it lines. ' : 'read every log line. ') +
          'Set agent tokens (SUPERGREP_AGENT_TOKEN or agentTokens) and viewer or editor tokens (SUPERGREP_VIEWER_TOKEN, ' +
          'SUPERGREP_EDITOR_TOKEN, viewerTokens, editorTokens) or proxyAuth, or listen on 127.0.0.1.',
      );
    }
  }
  return problems;
}

/**
 * Validates the merged options and the rules that span several of them. Throws ConfigError listing
 * every problem.
 */
export function resolveHubConfig(input: Record<string, unknown>): HubConfig {
  const parsed = hubConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`invalid hub configuration:\n${z.prettifyError(parsed.error)}`);
  const config = parsed.data as HubConfig;
  const problems = crossOptionProblems(config);
  if (problems.length === 1) throw new ConfigError(problems[0]!);
  if (problems.length > 1) throw new ConfigError(`invalid hub configuration:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  return config;
}
