import { z } from 'zod';

/**
 * A batch of lines one hub took in from its agents, published to the other hubs over NATS on
 * `sg.lines.<host>.<file>` (docs/scaling.md). Binary, like the agent's lines frame:
 *
 *   byte 0       CLUSTER_BATCH_KIND
 *   bytes 1..4   header length N, unsigned 32-bit big-endian
 *   bytes 5..    N bytes of UTF-8 JSON: the header below
 *   rest         the body: the lines, each ended by one '\n', already cut and redacted by the ingesting hub
 *
 * The lines keep the ids the ingesting hub gave them (`<hub>-<src>-<pos>`), so every hub shows the
 * same id for a line, and a context request can be sent to the hub that holds the source.
 */
export const CLUSTER_BATCH_KIND = 2;

export const clusterBatchHeaderSchema = z.object({
  /** The ingesting hub's id. */
  hub: z.string().min(1).max(64),
  /** Its number for the source (host, file): the middle part of every line id. */
  src: z.number().int().positive(),
  host: z.string().min(1).max(1024),
  file: z.string().min(1).max(4096),
  /** Stream position of the first line in the ingesting hub's numbering (the last part of its id). */
  pos: z.number().int().nonnegative(),
  /** When the agent read these lines, ms since the Unix epoch. */
  ts: z.number(),
  lineCount: z.number().int().positive(),
  /** Body offsets of lines cut at the maximum line length. */
  truncated: z.array(z.number().int().nonnegative()).optional(),
});
export type ClusterBatchHeader = z.infer<typeof clusterBatchHeaderSchema>;
