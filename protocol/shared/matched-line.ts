import { z } from 'zod';

/**
 * A [start, end) range of UTF-16 code units within `line` that RE2 matched, so a client can
 * highlight exactly what the hub matched without re-running the pattern itself.
 */
const matchRangeSchema = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);
export type MatchRange = z.infer<typeof matchRangeSchema>;

/** One log line as delivered to viewers. */
export const logLineSchema = z.object({
  /** Opaque, hub-assigned id; use it to ask for context or to link to the line. */
  id: z.string(),
  host: z.string(),
  file: z.string(),
  /** When the agent read the line, in milliseconds since the Unix epoch. */
  ts: z.number(),
  /** The time the line itself states (parsed from its text), when it states one; see docs/protocol.md. */
  eventTs: z.number().optional(),
  line: z.string(),
  /** Set when the agent cut the line at its maximum length. */
  truncated: z.boolean().optional(),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const matchedLineSchema = logLineSchema.extend({
  ranges: z.array(matchRangeSchema),
});
export type MatchedLine = z.infer<typeof matchedLineSchema>;
