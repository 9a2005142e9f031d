import { z } from 'zod';
import { DEFAULT_LIMITS } from './limits.js';

const pattern = z.string().max(DEFAULT_LIMITS.maxPatternLength);
const globList = z.array(z.string().min(1).max(256)).max(64);

/**
 * What a viewer asks to see. `query` and `exclude` are RE2 patterns matched against each line;
 * an empty query matches every line. `hosts` and `files` are glob lists (any may match); absent or
 * empty means all.
 */
export const filterSpecSchema = z.object({
  query: pattern,
  exclude: pattern.optional(),
  caseInsensitive: z.boolean().optional(),
  hosts: globList.optional(),
  files: globList.optional(),
});
export type FilterSpec = z.infer<typeof filterSpecSchema>;
