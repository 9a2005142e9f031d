import { z } from 'zod';
import { agentHelloSchema } from './agent-hello.js';

export * from './agent-hello.js';
export * from './lines-frame.js';

/** Every text frame an agent may send. Lines travel in binary frames (lines-frame.ts). */
export const agentToHubSchema = z.discriminatedUnion('type', [agentHelloSchema]);
