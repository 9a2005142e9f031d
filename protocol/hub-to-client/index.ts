import { z } from 'zod';
import { errorMessageSchema } from '../shared/error-message.js';
import { clientWelcomeSchema } from './client-welcome.js';
import { contextResultSchema } from './context-result.js';
import { deployEventSchema } from './deploy-event.js';
import { droppedSchema } from './dropped.js';
import { matchesSchema } from './matches.js';
import { pinEventSchema } from './pin-event.js';
import { sourcesSchema } from './sources.js';
import { subscribedSchema } from './subscribed.js';
import { verdictsEventSchema } from './verdicts-event.js';

export * from './client-welcome.js';
export * from './context-result.js';
export * from './deploy-event.js';
export * from './dropped.js';
export * from './matches.js';
export * from './pin-event.js';
export * from './sources.js';
export * from './subscribed.js';
export * from './verdicts-event.js';

export const hubToClientSchema = z.discriminatedUnion('type', [
  clientWelcomeSchema,
  subscribedSchema,
  matchesSchema,
  droppedSchema,
  contextResultSchema,
  sourcesSchema,
  deployEventSchema,
  pinEventSchema,
  verdictsEventSchema,
  errorMessageSchema,
]);
export type HubToClient = z.infer<typeof hubToClientSchema>;
