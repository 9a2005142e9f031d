import { z } from 'zod';

const timestamp = z.union([z.number(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

/** Body of POST /api/deploys. Times are ms since epoch or ISO-8601; startedAt defaults to now. */
export const createDeploySchema = z.object({
  label: z.string().trim().min(1).max(200),
  by: z.string().max(100).optional(),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  /** How long after the deploy verdicts watch (ms); absent: the hub's `verdictWindowMs`. */
  windowMs: z.number().int().min(60_000).max(24 * 60 * 60_000).optional(),
});
export type CreateDeploy = z.infer<typeof createDeploySchema>;

export const deploySchema = z.object({
  id: z.string(),
  label: z.string(),
  by: z.string().optional(),
  url: z.string().optional(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  /** The verdict window asked for at creation; absent: the hub's `verdictWindowMs`. */
  windowMs: z.number().optional(),
  createdBy: z.string().optional(),
  createdAt: z.number(),
});
export type Deploy = z.infer<typeof deploySchema>;

/** GET /api/deploys: deploy markers by start time, oldest first. */
export const deployListSchema = z.array(deploySchema);
