import { z } from 'zod';
import { filterSpecSchema } from '../shared/filter-spec.js';
import { deploySchema } from './deploy.js';

const captureLineSchema = z.object({
  host: z.string().max(253),
  file: z.string().max(4096),
  /** When the agent read the line (ms since the Unix epoch). */
  ts: z.number(),
  /** The time the line itself states, when it states one (docs/protocol.md, "Event time"). */
  eventTs: z.number().optional(),
  line: z.string().max(64 * 1024),
});
export type CaptureLine = z.infer<typeof captureLineSchema>;

/** The time range a capture's lines were searched in, ms since the epoch (a capture made from a search). */
const captureRangeSchema = z
  .object({ from: z.number(), to: z.number() })
  .refine((range) => range.from <= range.to, { message: 'from must not be after to' });

/** Body of POST /api/captures: selected lines saved for a post-mortem. */
export const createCaptureSchema = z.object({
  title: z.string().trim().min(1).max(200),
  filter: filterSpecSchema.optional(),
  range: captureRangeSchema.optional(),
  lines: z.array(captureLineSchema).min(1).max(10_000),
});
export type CreateCapture = z.infer<typeof createCaptureSchema>;

export const captureSchema = createCaptureSchema.extend({
  id: z.string(),
  /** Deploy markers inside the lines' time span, filled by the hub when the capture is saved. */
  deploys: z.array(deploySchema).optional(),
  createdBy: z.string().optional(),
  createdAt: z.number(),
});
export type Capture = z.infer<typeof captureSchema>;

/** Answer to POST /api/captures; `url` is the read-only page to share. */
export const captureCreatedSchema = z.object({ id: z.string(), url: z.string() });
export type CaptureCreated = z.infer<typeof captureCreatedSchema>;
