import { z } from 'zod';
import { filterSpecSchema } from '../shared/filter-spec.js';
import { alertRulesSchema } from './alert.js';

/** Body of POST /api/pins: a name and the filter fields, flat. */
export const createPinSchema = filterSpecSchema.extend({
  name: z.string().trim().min(1).max(100),
  /** Alert rules (docs/alerts.md); absent: the hub's `defaultAlerts`. */
  alerts: alertRulesSchema.optional(),
});
export type CreatePin = z.infer<typeof createPinSchema>;

/** A shared, named filter whose match rate the hub counts continuously. */
export const pinSchema = createPinSchema.extend({
  id: z.string(),
  createdBy: z.string().optional(),
  createdAt: z.number(),
  /** True while this hub fills the pin's buckets before its creation from history; absent: false. */
  backfilling: z.boolean().optional(),
  /**
   * Where the pin's counts begin (ms): its creation, or earlier once buckets before it were filled
   * from history (the oldest line time history held in the window). Absent: `createdAt`.
   */
  countedFrom: z.number().optional(),
});
export type Pin = z.infer<typeof pinSchema>;

/** GET /api/pins: every pin, oldest first. */
export const pinListSchema = z.array(pinSchema);

const pinRateBucketSchema = z.object({ ts: z.number(), count: z.number().int().nonnegative() });
/** GET /api/pins/:id/rate: match counts in fixed buckets, oldest first; `bucketMs` wide each. */
export const pinRateSchema = z.object({
  pinId: z.string(),
  bucketMs: z.number().int().positive(),
  buckets: z.array(pinRateBucketSchema),
});
export type PinRate = z.infer<typeof pinRateSchema>;
