import { z } from 'zod';
import { subscriptionIdSchema } from './subscribe.js';

export const unsubscribeSchema = z.object({
  type: z.literal('unsubscribe'),
  sub: subscriptionIdSchema,
});
