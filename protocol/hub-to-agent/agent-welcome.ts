import { z } from 'zod';

/** Where the hub already holds a file up to; the agent resumes from the later of this and its checkpoint. */
export const resumePointSchema = z.object({
  file: z.string(),
  fileId: z.string(),
  offset: z.number().int().nonnegative(),
});
export type ResumePoint = z.infer<typeof resumePointSchema>;

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
});
export type AgentWelcome = z.infer<typeof agentWelcomeSchema>;
