import { z } from 'zod';
import { logLineSchema } from '../shared/matched-line.js';

/**
 * Answer to a context request: the line itself and its neighbours in the same file, in file order.
 * `found` is false when the line has left the hub's backlog (or never existed); `lines` is then empty.
 */
export const contextResultSchema = z.object({
  type: z.literal('context'),
  req: z.string(),
  id: z.string(),
  found: z.boolean(),
  lines: z.array(logLineSchema),
});
export type ContextResult = z.infer<typeof contextResultSchema>;
