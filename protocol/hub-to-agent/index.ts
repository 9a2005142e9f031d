import { z } from 'zod';
import { errorMessageSchema } from '../shared/error-message.js';
import { agentWelcomeSchema } from './agent-welcome.js';
import { batchAckSchema } from './batch-ack.js';

export * from './agent-welcome.js';
export * from './batch-ack.js';

export const hubToAgentSchema = z.discriminatedUnion('type', [agentWelcomeSchema, batchAckSchema, errorMessageSchema]);
export type HubToAgent = z.infer<typeof hubToAgentSchema>;
