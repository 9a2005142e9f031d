import { z } from 'zod';
import { pinSchema } from '../http/pin.js';

/**
 * A pin was created or removed by someone, or `updated`: its backfill from history ended (its
 * counts before creation changed); every open UI updates its pins bar.
 */
export const pinEventSchema = z.object({
  type: z.literal('pin'),
  action: z.enum(['created', 'updated', 'deleted']),
  pin: pinSchema,
});
export type PinEvent = z.infer<typeof pinEventSchema>;
