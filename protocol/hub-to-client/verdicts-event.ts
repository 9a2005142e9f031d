import { z } from 'zod';
import { verdictSchema } from '../http/verdict.js';

/**
 * A deploy's verdicts changed (a new deploy, a window filling, a window ending): every pin's
 * verdict on that deploy, so the pins bar and the divider redraw from one message.
 */
export const verdictsEventSchema = z.object({
  type: z.literal('verdicts'),
  deployId: z.string(),
  verdicts: z.array(verdictSchema),
});
export type VerdictsEvent = z.infer<typeof verdictsEventSchema>;
