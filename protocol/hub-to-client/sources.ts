import { z } from 'zod';

const sourceFileSchema = z.object({
  path: z.string(),
  /** Lines per second taken in over the last few seconds. */
  linesPerSec: z.number().nonnegative(),
  /** When the hub last received a line of this file (ms since epoch), if ever. */
  lastTs: z.number().optional(),
});

export const sourceAgentSchema = z.object({
  host: z.string(),
  connected: z.boolean(),
  files: z.array(sourceFileSchema),
});
export type SourceAgent = z.infer<typeof sourceAgentSchema>;

/** The agents and files this hub knows, with live rates; sent on welcome and then every few seconds. */
export const sourcesSchema = z.object({
  type: z.literal('sources'),
  agents: z.array(sourceAgentSchema),
});
