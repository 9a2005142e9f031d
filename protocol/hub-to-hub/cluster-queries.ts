import { z } from 'zod';
import { filterSpecSchema } from '../shared/filter-spec.js';
import { DEFAULT_LIMITS } from '../shared/limits.js';
import { logLineSchema, matchedLineSchema } from '../shared/matched-line.js';
import { sourceAgentSchema } from '../hub-to-client/sources.js';

/**
 * Requests between hubs over NATS (JSON, request/reply). Each answer may come in several chunks
 * (`seq` from 0, the last has `last: true`) so that none is larger than NATS's max_payload.
 */

/** `sg.backlog`: every other hub answers with the newest lines of its own agents that `filter` matches. */
export const backlogQuerySchema = z.object({
  from: z.string().min(1).max(64),
  filter: filterSpecSchema,
  limit: z.number().int().positive().max(DEFAULT_LIMITS.maxBacklogLines),
});

export const backlogChunkSchema = z.object({
  hub: z.string(),
  seq: z.number().int().nonnegative(),
  last: z.boolean(),
  /** Oldest first, in the answering hub's arrival order. */
  lines: z.array(matchedLineSchema),
});
export type BacklogChunk = z.infer<typeof backlogChunkSchema>;

/** `sg.ctx.<hubId>`: the hub that assigned `id` answers with the lines around it. */
export const contextQuerySchema = z.object({
  id: z.string().min(1).max(256),
  before: z.number().int().nonnegative().max(DEFAULT_LIMITS.maxContextLines),
  after: z.number().int().nonnegative().max(DEFAULT_LIMITS.maxContextLines),
});
export type ContextQuery = z.infer<typeof contextQuerySchema>;

export const contextAnswerSchema = z.object({
  found: z.boolean(),
  lines: z.array(logLineSchema),
});
export type ContextAnswer = z.infer<typeof contextAnswerSchema>;

/**
 * `sg.hub.<hubId>` every few seconds (and at once in answer to `sg.hello`): a hub says it is alive
 * and which agents it holds, so every hub can list the whole service's sources and knows how many
 * answers a scatter-gather should wait for. `leaving` is sent once on shutdown.
 */
export const hubBeaconSchema = z.object({
  hub: z.string().min(1).max(64),
  url: z.string().max(2048).optional(),
  leaving: z.boolean().optional(),
  agents: z.array(sourceAgentSchema),
});
export type HubBeacon = z.infer<typeof hubBeaconSchema>;
