import { z } from 'zod';

/**
 * Lines travel from agent to hub in binary frames, so the hub can run RE2 over a whole batch held in
 * one Buffer instead of crossing into native code once per line:
 *
 *   byte 0       frame kind (LINES_FRAME_KIND)
 *   bytes 1..4   header length N, unsigned 32-bit big-endian
 *   bytes 5..    N bytes of UTF-8 JSON: the header below
 *   rest         the body: the lines, each ended by one '\n', valid UTF-8, no '\r' before the '\n'
 *
 * A "line" of the body is one event: the lines of a multi-line event (a stack trace) are joined by
 * the byte 0x00 (protocol/shared/event-text.ts), and a NUL of the file's own text is sent as U+2400.
 */
export const LINES_FRAME_KIND = 1;

export const linesHeaderSchema = z.object({
  /** Per-connection batch number, from 1, increasing by one; the hub acknowledges by it. */
  batch: z.number().int().positive(),
  /** The path the lines were read from, as the agent reports it. */
  file: z.string().min(1).max(4096),
  /**
   * The agent's identity for this generation of the file (inode plus a random generation tag that
   * changes on truncation or inode reuse). Offsets are only comparable within one fileId.
   */
  fileId: z.string().min(1).max(128),
  /** Byte offset in the file where the first line starts. */
  offset: z.number().int().nonnegative(),
  /**
   * Byte offset in the file just after the last line's terminator. Always a line boundary. The bytes
   * between the offsets are the body's lines as read; the hub refuses a frame whose span its body
   * cannot stand for (server/ingest/frame-checks.ts), e.g. lines that cover no bytes.
   */
  endOffset: z.number().int().nonnegative(),
  /** Number of lines in the body. */
  lineCount: z.number().int().nonnegative(),
  /**
   * Lines of the file the body stands for, when not one per body line: events joined several, or
   * the agent decoded container log lines (CRI, Docker json-file), which shortens them. The hub
   * bounds the offsets' span by it.
   */
  rawLines: z.number().int().positive().optional(),
  /**
   * When the agent read these lines, ms since the Unix epoch. A value that is no number (missing,
   * `null`, `1e999`) decodes as NaN rather than refusing the frame: the hub replaces any time it
   * cannot use by its own clock (docs/protocol.md).
   */
  ts: z.number().catch(Number.NaN),
  /** Body byte offsets of lines the agent cut at its maximum line length. */
  truncated: z.array(z.number().int().nonnegative()).optional(),
  /** Bytes dropped from over-long lines in this batch. */
  droppedBytes: z.number().int().nonnegative().optional(),
  /**
   * The digest of the welcome's redaction rules when the agent applied them to this body; a hub
   * whose rules have that digest does not scan the body again. Absent: the hub redacts.
   */
  redaction: z.string().min(1).max(128).optional(),
  /** Secrets the agent replaced in this body, by rule name, for the hub's metrics. */
  redactions: z
    .record(z.string().min(1).max(64), z.number().int().positive())
    .refine((counts) => Object.keys(counts).length <= 256, 'more than 256 rule names')
    .optional(),
});
export type LinesHeader = z.infer<typeof linesHeaderSchema>;
