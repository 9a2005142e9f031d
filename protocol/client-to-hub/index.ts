import { z } from 'zod';
import { clientHelloSchema } from './client-hello.js';
import { contextRequestSchema } from './context-request.js';
import { subscribeSchema } from './subscribe.js';
import { unsubscribeSchema } from './unsubscribe.js';

export * from './client-hello.js';
export * from './context-request.js';
export * from './subscribe.js';
export * from './unsubscribe.js';

export const clientToHubSchema = z.discriminatedUnion('type', [
  clientHelloSchema,
  subscribeSchema,
  unsubscribeSchema,
  contextRequestSchema,
]);
export type ClientToHub = z.infer<typeof clientToHubSchema>;
