import { z } from 'zod';

const sourceFileSchema = z.object({
  path: z.string(),
  /** Lines per second taken in over the last few seconds. */
  linesPerSec: z.number().nonnegative(),
  /** When the hub last received a line of this file (ms since epoch), if ever. */
  lastTs: z.number().optional(),
});

export const sourceAgentSchema = z.object({
  host: z.string(),
  connected: z.boolean(),
  files: z.array(sourceFileSchema),
});
export type SourceAgent = z.infer<typeof sourceAgentSchema>;

/** How many agents and files the hub knows, when it listed only some of them. */
const sourcesTotalSchema = z.object({
  agents: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
});
export type SourcesTotal = z.infer<typeof sourcesTotalSchema>;

/**
 * The agents and files this hub knows, with live rates; sent on welcome and then every few seconds.
 * The list is kept under the hub's maxSourcesMessageBytes: beyond it, connected and busy hosts are
 * listed first and `total` (present only then) counts everything the hub knows.
 */
export const sourcesSchema = z.object({
  type: z.literal('sources'),
  agents: z.array(sourceAgentSchema),
  total: sourcesTotalSchema.optional(),
});
