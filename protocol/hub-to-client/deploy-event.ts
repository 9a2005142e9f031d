import { z } from 'zod';
import { deploySchema } from '../http/deploy.js';

/** A deploy marker was posted; viewers draw it as a divider in every live stream. */
export const deployEventSchema = z.object({
  type: z.literal('deploy'),
  deploy: deploySchema,
});
export type DeployEvent = z.infer<typeof deployEventSchema>;
