import { z } from 'zod';

/**
 * Cumulative acknowledgement: every batch numbered up to and including `batch` on this connection has
 * been taken in by the hub (stored in its backlog and queued to viewers). Only then may the agent
 * move its checkpoints past those lines.
 */
export const batchAckSchema = z.object({
  type: z.literal('ack'),
  batch: z.number().int().nonnegative(),
});
