import { z } from 'zod';

/** First text frame on an agent connection. The token travels in the upgrade's Authorization header. */
export const agentHelloSchema = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  /** The name lines are reported under (`--name`, default the machine's hostname). */
  host: z.string().min(1).max(253),
  agentVersion: z.string().max(64),
});
export type AgentHello = z.infer<typeof agentHelloSchema>;
