import { z } from 'zod';

/**
 * What a person may do on a hub. Viewers read: live streams, backlog, context, pins, deploys and
 * captures. Editors also create and delete: pins, deploy markers, captures. Agents are not people
 * and have no role: their tokens only send lines, and never read.
 */
export const roleSchema = z.enum(['viewer', 'editor']);
export type Role = z.infer<typeof roleSchema>;
