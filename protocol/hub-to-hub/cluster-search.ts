import { z } from 'zod';
import { SEARCH_LIMITS } from '../http/search.js';
import { filterSpecSchema } from '../shared/filter-spec.js';
import { matchedLineSchema } from '../shared/matched-line.js';

/**
 * History search across hubs over NATS (JSON). The hub a viewer asks publishes the query on
 * `sg.search` (or `sg.histogram`) with a reply inbox; every other hub scans its own history and
 * answers on the inbox with a stream of chunks (`seq` from 0, the last has `last: true`), one at
 * least every few hundred milliseconds while it works, each well under NATS's max_payload.
 */

const timeWindowSchema = z.object({ from: z.number().optional(), to: z.number().optional() });

/** The last line a page returned, across hubs: [time, hub id, source number, position]. */
const clusterKeySchema = z.tuple([z.number().finite(), z.string().max(64), z.number().int(), z.number().int()]);

export const peerSearchQuerySchema = z.object({
  from: z.string().min(1).max(64),
  /** Names this search in `sg.search.stop`. */
  id: z.string().min(1).max(64),
  filter: filterSpecSchema,
  window: timeWindowSchema,
  order: z.enum(['asc', 'desc']),
  limit: z.number().int().positive().max(SEARCH_LIMITS.maxLimit),
  /** Start right after this line in the cluster's order (each hub works out its own share). */
  after: clusterKeySchema.optional(),
});
export type PeerSearchQuery = z.infer<typeof peerSearchQuerySchema>;

/** `sg.search.stop`: the asking hub has what it needs (or its viewer went away); stop scanning. */
export const peerSearchStopSchema = z.object({ from: z.string(), id: z.string() });

const peerErrorSchema = z.object({ code: z.string(), message: z.string() });

export const peerSearchChunkSchema = z.object({
  hub: z.string(),
  seq: z.number().int().nonnegative(),
  last: z.boolean(),
  /** Matches in the hub's output order, continuing the previous chunk's. */
  lines: z.array(matchedLineSchema),
  scannedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  /** On the last chunk: whether the hub has more matches than it sent, and blocks it could not read. */
  more: z.boolean().optional(),
  corruptBlocks: z.number().int().nonnegative().optional(),
  /** On the last chunk, when the hub could not search: its lines are missing. */
  error: peerErrorSchema.optional(),
});
export type PeerSearchChunk = z.infer<typeof peerSearchChunkSchema>;

export const peerHistogramQuerySchema = z.object({
  from: z.string().min(1).max(64),
  id: z.string().min(1).max(64),
  filter: filterSpecSchema,
  start: z.number(),
  end: z.number(),
  step: z.number().positive(),
});
export type PeerHistogramQuery = z.infer<typeof peerHistogramQuerySchema>;

/** Keep-alives (no `counts`) while the hub counts, then the counts per bucket (same buckets as asked). */
export const peerHistogramChunkSchema = z.object({
  hub: z.string(),
  seq: z.number().int().nonnegative(),
  last: z.boolean(),
  counts: z.array(z.number().int().nonnegative()).max(SEARCH_LIMITS.maxHistogramBuckets).optional(),
  partial: z.boolean().optional(),
  error: peerErrorSchema.optional(),
});
export type PeerHistogramChunk = z.infer<typeof peerHistogramChunkSchema>;
