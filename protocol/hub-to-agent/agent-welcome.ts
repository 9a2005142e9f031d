import { z } from 'zod';

/** Where the hub already holds a file up to; the agent resumes from the later of this and its checkpoint. */
const resumePointSchema = z.object({
  file: z.string(),
  fileId: z.string(),
  offset: z.number().int().nonnegative(),
});
export type ResumePoint = z.infer<typeof resumePointSchema>;

/** Most redaction rules a welcome carries: the built-in ones plus a hub's own (at most 200). */
const MAX_REDACTION_RULES = 256;

/** One redaction rule as a hub hands it to its agents: plain data (lib/redaction/redaction-rules.ts). */
const redactionRuleSchema = z.object({
  name: z.string().min(1).max(64),
  /** RE2 syntax; a group named `secret` limits what is replaced to that group. */
  pattern: z.string().min(1).max(4096),
  replacement: z.string().max(200),
  /** A named second look at what the pattern found (e.g. `card-number`: a Luhn check). */
  refine: z.string().min(1).max(64).optional(),
});
export type RedactionRuleWire = z.infer<typeof redactionRuleSchema>;

/**
 * The hub's redaction rules, offered so that agents replace secrets before lines leave their host.
 * An agent that applies them names `digest` in its frames, and the hub does not scan those again.
 */
const agentRedactionSchema = z.object({
  /** Names the rules and the redaction code's version together (lib/redaction/redaction-digest.ts). */
  digest: z.string().min(1).max(128),
  rules: z.array(redactionRuleSchema).min(1).max(MAX_REDACTION_RULES),
});
export type AgentRedaction = z.infer<typeof agentRedactionSchema>;

/** The hub's answer to an agent hello. */
export const agentWelcomeSchema = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.number().int(),
  hubId: z.string(),
  resume: z.array(resumePointSchema),
  limits: z.object({
    maxFrameBytes: z.number().int().positive(),
    maxLineBytes: z.number().int().positive(),
  }),
  /** Absent when the hub has no rules, or redacts everything itself (`redaction.atAgents: false`). */
  redaction: agentRedactionSchema.optional(),
});
export type AgentWelcome = z.infer<typeof agentWelcomeSchema>;
