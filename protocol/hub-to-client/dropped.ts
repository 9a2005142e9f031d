import { z } from 'zod';

/**
 * This viewer read too slowly and the hub discarded `count` matching lines from its send queue
 * (the oldest ones) rather than let it grow. Sent in stream order, just where the gap is.
 */
export const droppedSchema = z.object({
  type: z.literal('dropped'),
  sub: z.string(),
  count: z.number().int().positive(),
});
