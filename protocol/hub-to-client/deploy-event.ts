import { z } from 'zod';
import { deploySchema } from '../http/deploy.js';

/**
 * A deploy marker: viewers draw it as a divider. Live (no `sub`), it was just posted and goes to
 * every stream. Replayed (`replay: true`, with the `sub` whose backlog it belongs to), it is sent
 * among that subscription's backlog `matches`, at its place in time (see docs/protocol.md).
 */
export const deployEventSchema = z.object({
  type: z.literal('deploy'),
  deploy: deploySchema,
  /** The subscription whose backlog this replayed marker belongs to. */
  sub: z.string().optional(),
  /** True for a marker replayed with a backlog, posted before the subscription began. */
  replay: z.boolean().optional(),
});
export type DeployEvent = z.infer<typeof deployEventSchema>;
