import { z } from 'zod';
import { filterSpecSchema } from '../shared/filter-spec.js';

/** The filter compiled and the subscription is live; sent before any of its matches. */
export const subscribedSchema = z.object({
  type: z.literal('subscribed'),
  sub: z.string(),
  filter: filterSpecSchema,
});
