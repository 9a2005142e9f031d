import { z } from 'zod';
import { errorCodeSchema } from '../shared/error-codes.js';

/** Body of every non-2xx API answer. */
export const apiErrorSchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
