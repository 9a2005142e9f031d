import { z } from 'zod';

/**
 * First message on a viewer connection. Browsers cannot set headers on a WebSocket, so the token may
 * travel here; non-browser clients may send it in the upgrade's Authorization header instead.
 */
export const clientHelloSchema = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  token: z.string().max(512).optional(),
  /** Free-form client name for the hub's logs, e.g. "supergrep-tail/0.1.0". */
  client: z.string().max(128).optional(),
});
export type ClientHello = z.infer<typeof clientHelloSchema>;
