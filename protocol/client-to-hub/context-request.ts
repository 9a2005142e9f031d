import { z } from 'zod';
import { DEFAULT_LIMITS } from '../shared/limits.js';

/** Ask for the lines around line `id` in the same file, ignoring every filter. */
export const contextRequestSchema = z.object({
  type: z.literal('context'),
  /** Client-chosen request id, echoed in the answer. */
  req: z.string().min(1).max(64),
  id: z.string().min(1).max(256),
  before: z.number().int().nonnegative().max(DEFAULT_LIMITS.maxContextLines),
  after: z.number().int().nonnegative().max(DEFAULT_LIMITS.maxContextLines),
});
export type ContextRequest = z.infer<typeof contextRequestSchema>;
