import { z } from 'zod';
import { deploySchema } from './deploy.js';

/**
 * What a deploy did to a pin's match rate: `worse` or `better` when the rate after the deploy
 * differs from the rate before it beyond chance (docs/verdicts.md), `unchanged` when it does not,
 * `too-few` when so few matches could not show a change in both directions (a rise and a fall).
 */
const verdictKindSchema = z.enum(['worse', 'better', 'unchanged', 'too-few']);
export type VerdictKind = z.infer<typeof verdictKindSchema>;

/** One pin's verdict on one deploy. Times are ms since the epoch; lengths are ms. */
export const verdictSchema = z.object({
  deployId: z.string(),
  pinId: z.string(),
  pinName: z.string(),
  verdict: verdictKindSchema,
  /** The window after the deploy has ended (or the next deploy cut it short): the verdict is settled. */
  final: z.boolean(),
  /** The window after the deploy: where it starts, where it ends when complete, and how much has elapsed. */
  windowFrom: z.number(),
  windowTo: z.number(),
  windowElapsedMs: z.number().nonnegative(),
  windowCount: z.number().int().nonnegative(),
  /**
   * The baseline before the deploy. `baselineCoveredMs` is less than `baselineTo - baselineFrom`
   * when the pin's counts (live or from history) begin inside it: the verdict used only that part.
   */
  baselineFrom: z.number(),
  baselineTo: z.number(),
  baselineCoveredMs: z.number().nonnegative(),
  baselineCount: z.number().int().nonnegative(),
  /** Rate after / rate before; null when the baseline has no match. */
  ratio: z.number().nonnegative().nullable(),
  /** The test's p-value for the verdict given (the smaller one-sided value for `unchanged`). */
  pValue: z.number().min(0).max(1),
  /** The hub's clock when this verdict was computed. */
  updatedAt: z.number(),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** GET /api/deploys/:id/verdicts: every pin's verdict on that deploy, in pin order. */
export const deployVerdictsSchema = z.object({
  deploy: deploySchema,
  /** The false-alarm rate each verdict targets over its whole window (docs/verdicts.md). */
  alpha: z.number().positive().max(1),
  verdicts: z.array(verdictSchema),
});
export type DeployVerdicts = z.infer<typeof deployVerdictsSchema>;
