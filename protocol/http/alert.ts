import { z } from 'zod';

/**
 * A pin's alert rules. `verdict-worse` fires when a deploy's verdict on the pin turns `worse` and
 * resolves when it no longer is (or a later deploy's verdict is not worse: a rollback).
 * `rate-above` fires when the pin has matched more than `perMinute` lines a minute for
 * `forMinutes` minutes in a row, and resolves when a minute falls back to or below it.
 */
const alertRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('verdict-worse') }),
  z.strictObject({
    kind: z.literal('rate-above'),
    perMinute: z.number().positive().max(1e9),
    forMinutes: z.number().int().min(1).max(24 * 60),
  }),
]);
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesSchema = z.array(alertRuleSchema).max(8);

/** A webhook's body: Slack-compatible `{"text": ...}` (Slack, Mattermost, most chat tools) or the generic JSON below. */
export const webhookFormatSchema = z.enum(['slack', 'json']);
export type WebhookFormat = z.infer<typeof webhookFormatSchema>;

/** The generic JSON body of one notification (`format: "json"`). */
export const alertNotificationSchema = z.object({
  /** `firing` when the condition starts to hold, `resolved` when it stops. */
  status: z.enum(['firing', 'resolved']),
  rule: alertRuleSchema,
  pin: z.object({ id: z.string(), name: z.string(), query: z.string() }),
  /** The deploy a `verdict-worse` alert is about. */
  deploy: z.object({ id: z.string(), label: z.string(), startedAt: z.number() }).optional(),
  /** Matches before and after the deploy (verdict) or in the last minutes (rate), with the ratio and p-value when known. */
  counts: z.object({
    baseline: z.number().int().nonnegative().optional(),
    window: z.number().int().nonnegative().optional(),
    perMinute: z.number().nonnegative().optional(),
  }),
  ratio: z.number().nonnegative().nullable().optional(),
  pValue: z.number().min(0).max(1).optional(),
  /** Absolute links (the hub's `publicUrl`): the pin's chart and its matching lines around the event. */
  links: z.object({ chart: z.string(), lines: z.string() }),
  /** One human sentence, the same as the Slack body's text. */
  text: z.string(),
  at: z.number(),
});
export type AlertNotification = z.infer<typeof alertNotificationSchema>;
