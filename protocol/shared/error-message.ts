import { z } from 'zod';
import { errorCodeSchema } from './error-codes.js';

/** Sent by the hub to agents and viewers; `sub` or `req` ties it to the request that failed. */
export const errorMessageSchema = z.object({
  type: z.literal('error'),
  code: errorCodeSchema,
  message: z.string(),
  sub: z.string().optional(),
  req: z.string().optional(),
});
export type ErrorMessage = z.infer<typeof errorMessageSchema>;
