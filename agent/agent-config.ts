import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_LIMITS, GlobSyntaxError, compileGlob } from '../protocol/index.js';
import type { FormatSetting } from './formats/format-detect.js';

/** A file's line format (agent/formats/): `auto` detects it per file from its path, else its first line. */
const formatSettingSchema = z.enum(['auto', 'plain', 'cri', 'docker'] as const satisfies readonly FormatSetting[]);
import { multilineConfigSchema } from './events/event-rules.js';

/** Following the systemd journal (`--journal`, `--unit`, `--journal-file`). */
const journalConfigSchema = z.strictObject({
  /** Only these systemd units (`journalctl --unit`); none is the whole journal. */
  units: z.array(z.string().min(1).max(256)).default([]),
  /** A journal file (`journalctl --file`) or directory (`--directory`) instead of the system journal. */
  file: z.string().min(1).optional(),
  /** The journalctl program: a name looked up in PATH, or a path. */
  command: z.string().min(1).default('journalctl'),
});

/** Every agent option, with its default. Flags and SUPERGREP_TOKEN fill it from the command line. */
const agentOptionsSchema = z.strictObject({
  /** Hub WebSocket URLs (ws:// or wss://), tried in order; the agent fails over to the next. */
  hubs: z.array(z.url({ protocol: /^wss?$/ })).min(1),
  /** Name the lines are reported under. */
  name: z.string().min(1).max(253).default(hostname()),
  /** Agent token, sent in the Authorization header. */
  token: z.string().optional(),
  /** PEM file of the CA that signed a wss:// hub's certificate, when the system does not trust it. */
  caFile: z.string().min(1).optional(),
  /** Where per-file checkpoints are kept. */
  stateFile: z.string().default('.supergrep/agent-state.json'),
  /** Read files that exist at start-up from their beginning instead of their end. */
  fromStart: z.boolean().default(false),
  /** Files and globs to follow (glob syntax: protocol/shared/glob.ts); none is fine with `journal`. */
  paths: z.array(z.string().min(1).superRefine(checkGlob)).default([]),
  /** The format of the followed files' lines (`--format`): plain text, CRI (Kubernetes), Docker json-file, or `auto`. */
  format: formatSettingSchema.default('auto'),
  /** Formats for the files matching a glob, over `format`: `{"/data/k8s/**": "cri"}`; the first matching glob (in order) wins. */
  formats: z.record(z.string().min(1).superRefine(checkGlob), formatSettingSchema).default({}),
  /** Follow the systemd journal too, through journalctl (agent/journal/); absent: no journal. */
  journal: journalConfigSchema.optional(),
  /**
   * Multi-line events (agent/events/): stack traces of Java, Python, Go and Node.js joined by
   * default; `rules` per path glob with RE2 `start` / `continuation` patterns, `maxLines`,
   * `maxBytes`, `builtin: false`; `flushMs`, how long an event at the end of a file waits for more.
   */
  multiline: multilineConfigSchema,
  /** Longer lines are cut here; the rest of the line is dropped and counted. */
  maxLineBytes: z.number().int().positive().default(DEFAULT_LIMITS.maxLineBytes),
  /** Largest batch body sent in one frame (a single line longer than this still goes out, alone). */
  batchMaxBytes: z.number().int().positive().default(512 * 1024),
  /**
   * Bytes sent but not yet acknowledged, across all files. Reading pauses at this bound, so memory
   * stays bounded while the hub is slow or away; unacknowledged lines are re-read from the files.
   */
  maxInflightBytes: z.number().int().positive().default(8 * 1024 * 1024),
  /**
   * Safety net for missed file-system events: every followed file is checked this often. Growth is
   * normally read as soon as the kernel reports it (inotify); on file systems that report nothing
   * (network mounts) this is how long a new line may wait.
   */
  pollIntervalMs: z.number().int().positive().default(1_000),
  /**
   * Reads made on change events, per second across all files, for reads that bring little
   * (agent/tailing/read-pacer.ts): N busy files are each read every N * 1000 / this ms. A file written fast
   * enough to fill 16 KiB sooner is read that often instead, down to every 2 ms. Higher means lower
   * latency with many busy files, and more CPU and memory (each read is a batch sent and acked).
   */
  changeReadsPerSecond: z.number().int().positive().default(100),
  /**
   * Safety net for missed directory events: the directories of `paths` are listed again this often,
   * which also picks up a glob's directory created after start-up.
   */
  rescanIntervalMs: z.number().int().positive().default(10_000),
  /** How often acknowledged offsets are written to the state file. */
  checkpointIntervalMs: z.number().int().positive().default(1_000),
  /** A rotated-away or deleted file is closed after it has been read to its end and stayed idle this long. */
  rotatedIdleCloseMs: z.number().int().positive().default(5_000),
  /**
   * A followed file read to its end and idle this long is closed (its descriptor and inotify watch
   * released; its offset and identity kept) and opened again when its directory reports a change to
   * it. 0: files stay open.
   */
  closeIdleAfterMs: z.number().int().nonnegative().max(2 ** 31 - 1).default(5 * 60_000),
  reconnectBaseMs: z.number().int().positive().default(250),
  reconnectCapMs: z.number().int().positive().default(15_000),
  heartbeatIntervalMs: z.number().int().positive().default(15_000),
  /**
   * How often the agent logs its counters (`agent stats`: lines and batches sent and acknowledged,
   * reconnects, state-file write errors, bytes in flight, whether it is connected): the agent's
   * metrics, for a log pipeline to graph and alert on. 0 turns it off.
   */
  statsIntervalMs: z.number().int().nonnegative().default(60_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The options, refused when they leave nothing to follow. */
export const agentConfigSchema = agentOptionsSchema.refine((config) => config.paths.length > 0 || config.journal !== undefined, {
  message: 'nothing to follow: give paths, the journal, or both',
  path: ['paths'],
});

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type AgentConfig = z.output<typeof agentConfigSchema>;

/** Refuses a path whose glob syntax is broken (an unclosed `[` or `{`) with the parser's reason. */
function checkGlob(path: string, context: z.RefinementCtx): void {
  try {
    compileGlob(path);
  } catch (cause) {
    if (!(cause instanceof GlobSyntaxError)) throw cause;
    context.addIssue({ code: 'custom', message: cause.message });
  }
}
