import { z } from 'zod';
import { filterSpecSchema } from '../shared/filter-spec.js';
import { DEFAULT_LIMITS } from '../shared/limits.js';

export const subscriptionIdSchema = z.string().min(1).max(64);

/**
 * Start streaming lines that match `filter`. The client picks `sub`; it names the subscription in
 * every later message. Re-using a live `sub` replaces its filter. `backlog` asks for up to that many
 * recent matching lines from the hub's per-file rings before the live stream.
 */
export const subscribeSchema = z.object({
  type: z.literal('subscribe'),
  sub: subscriptionIdSchema,
  filter: filterSpecSchema,
  backlog: z.number().int().nonnegative().max(DEFAULT_LIMITS.maxBacklogLines).optional(),
});
export type Subscribe = z.infer<typeof subscribeSchema>;
