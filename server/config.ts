import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '../protocol/index.js';
import { parseToken, type NamedToken } from '../lib/tokens.js';

const tokenSchema = z.string().min(1).transform(parseToken);

/**
 * Every hub option, with its default. The same keys are accepted in the JSON file given by
 * `--config`; command-line flags and SUPERGREP_* variables override the file.
 */
export const hubConfigSchema = z.strictObject({
  /** Address to listen on. Anything but loopback requires tokens. */
  host: z.string().default('127.0.0.1'),
  /** TCP port; 0 picks a free one (the chosen port is logged). */
  port: z.number().int().min(0).max(65535).default(7070),
  /** Directory for the hub's database (pins, deploys, captures). */
  dataDir: z.string().default('.supergrep'),
  /** Tokens agents must present. Empty: agents need none (loopback only). */
  agentTokens: z.array(tokenSchema).default([]),
  /** Tokens viewers must present. Empty: viewers need none (loopback only). */
  viewerTokens: z.array(tokenSchema).default([]),
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
  /** Bound on all backlog rings together; sources over their fair share are trimmed first. */
  backlogTotalBytes: z.number().int().positive().default(128 * 1024 * 1024),
  /** Matching lines queued for one viewer, in bytes, before the oldest are dropped. */
  clientQueueBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Bytes the socket may hold unsent before a viewer counts as slow and its queue stops draining. */
  clientSocketHighWaterBytes: z.number().int().positive().default(1024 * 1024),
  /** How often matches are flushed to viewers. */
  clientFlushIntervalMs: z.number().int().positive().default(25),
  /** Ping interval; a peer that misses a whole interval is terminated. */
  heartbeatIntervalMs: z.number().int().positive().default(15_000),
  /** How often viewers get the list of agents and files with their rates. */
  sourcesIntervalMs: z.number().int().positive().default(2_000),
  /** Seconds a disconnected agent stays listed in sources. */
  agentForgetAfterMs: z.number().int().positive().default(10 * 60_000),
  /** StatsD target "host:port" for pin counters; absent disables StatsD. */
  statsd: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type HubConfigInput = z.input<typeof hubConfigSchema>;
export type HubConfig = z.output<typeof hubConfigSchema> & { agentTokens: NamedToken[]; viewerTokens: NamedToken[] };

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

/** Tokens from SUPERGREP_AGENT_TOKEN / SUPERGREP_VIEWER_TOKEN (comma-separated), as raw strings for the schema. */
export function hubEnvOverrides(env: NodeJS.ProcessEnv): Partial<Record<'agentTokens' | 'viewerTokens', string[]>> {
  const out: Partial<Record<'agentTokens' | 'viewerTokens', string[]>> = {};
  const split = (text: string | undefined) => (text ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  const agent = split(env.SUPERGREP_AGENT_TOKEN);
  const viewer = split(env.SUPERGREP_VIEWER_TOKEN);
  if (agent.length) out.agentTokens = agent;
  if (viewer.length) out.viewerTokens = viewer;
  return out;
}

/**
 * Validates the merged options and the rules that span several of them. Throws ConfigError listing
 * every problem.
 */
export function resolveHubConfig(input: Record<string, unknown>): HubConfig {
  const parsed = hubConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`invalid hub configuration:\n${z.prettifyError(parsed.error)}`);
  const config = parsed.data as HubConfig;
  if (!isLoopback(config.host) && (config.agentTokens.length === 0 || config.viewerTokens.length === 0)) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without tokens: anyone who can reach it could read every log line. ` +
        'Set agent and viewer tokens (SUPERGREP_AGENT_TOKEN and SUPERGREP_VIEWER_TOKEN, or agentTokens/viewerTokens in the config file), ' +
        'or listen on 127.0.0.1.',
    );
  }
  return config;
}
