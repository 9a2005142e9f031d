import { z } from 'zod';
import { roleSchema } from '../shared/role.js';

/** The hub's answer to a viewer hello: the connection is authenticated and may subscribe. */
export const clientWelcomeSchema = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.number().int(),
  hubId: z.string(),
  /** Who the hub thinks this viewer is (a token's name or a proxy identity), for display. */
  viewer: z.string().optional(),
  /** What this connection may do over HTTP with the same credentials: "editor" may create pins, deploys and captures. */
  role: roleSchema.optional(),
  serverTime: z.number(),
  limits: z.object({
    maxBacklogLines: z.number().int(),
    maxContextLines: z.number().int(),
    maxPatternLength: z.number().int(),
  }),
});
export type ClientWelcome = z.infer<typeof clientWelcomeSchema>;
