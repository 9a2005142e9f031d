import { z } from 'zod';
import { matchedLineSchema } from '../shared/matched-line.js';

/** A batch of matching lines for one subscription, oldest first. */
export const matchesSchema = z.object({
  type: z.literal('matches'),
  sub: z.string(),
  lines: z.array(matchedLineSchema),
  /** True while replaying the backlog asked for in subscribe; live lines follow without it. */
  backlog: z.boolean().optional(),
});
export type Matches = z.infer<typeof matchesSchema>;
