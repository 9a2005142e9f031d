import RE2 from 're2';
import { z } from 'zod';
import { DEFAULT_REPLACEMENT, DEFAULT_RULES, type RedactionRule } from '../../lib/redaction/redaction-rules.js';
import { offerRedaction } from '../../lib/redaction/redaction-offer.js';
import { CUT_TAIL_NAME, Redactor } from '../../lib/redaction/redactor.js';
import type { AgentRedaction } from '../../protocol/index.js';

const BUILT_IN = new Set(DEFAULT_RULES.map((rule) => rule.name));
/** Names counts are reported under that are no rule's: custom rules may not take them either. */
const RESERVED = new Set([CUT_TAIL_NAME]);

/** Why RE2 refuses `pattern`, or why it would be useless as a rule; undefined when it is fine. */
function patternProblem(pattern: string): string | undefined {
  let re: RE2;
  try {
    re = new RE2(pattern, 'g');
  } catch (error) {
    return `not a valid RE2 pattern: ${(error as Error).message}`;
  }
  // A rule that matches the empty string would "find" a secret between every two characters.
  if (re.test('')) return 'matches the empty string';
  return undefined;
}

const customRuleSchema = z.strictObject({
  /** Names the rule in /metrics; letters, digits, '-' and '_'. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 letters, digits, "-" or "_"'),
  /** RE2 pattern; with a group `(?P<secret>...)` only that group is replaced. */
  pattern: z.string().min(1).max(4096),
  /** Literal text put in place of the secret. */
  replacement: z.string().max(200).default(DEFAULT_REPLACEMENT),
});

/**
 * The `redaction` option: secrets are replaced in every line before it leaves the hub (see
 * docs/security.md for the built-in rules).
 */
export const redactionConfigSchema = z
  .strictObject({
    /** Built-in rules to turn off, by name. */
    disable: z.array(z.string()).default([]),
    /** Rules of your own, applied with the built-in ones. */
    rules: z.array(customRuleSchema).max(200).default([]),
    /**
     * Offer the rules to agents, which then replace secrets before lines leave their hosts (the hub
     * scans their lines again unless their token is in trustedAgents). Off: agents send lines as
     * written and the hub scans them.
     */
    atAgents: z.boolean().default(true),
    /**
     * Names of agent tokens whose redaction the hub trusts: a batch from such an agent that names the
     * offered rules' digest is not scanned again. Every other batch is scanned at the hub, whatever
     * its header says.
     */
    trustedAgents: z.array(z.string().min(1)).default([]),
  })
  .superRefine((value, ctx) => {
    value.disable.forEach((name, index) => {
      if (!BUILT_IN.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['disable', index],
          message: `no built-in rule is named "${name}" (there are: ${[...BUILT_IN].join(', ')})`,
        });
      }
    });
    const seen = new Set<string>();
    value.rules.forEach((rule, index) => {
      if (BUILT_IN.has(rule.name) || RESERVED.has(rule.name) || seen.has(rule.name)) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'name'], message: `the rule name "${rule.name}" is already taken` });
      }
      seen.add(rule.name);
      const problem = patternProblem(rule.pattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['rules', index, 'pattern'], message: problem });
    });
  })
  .default({ disable: [], rules: [], atAgents: true, trustedAgents: [] });

export type RedactionConfig = z.output<typeof redactionConfigSchema>;

/** The rules in force: the built-in ones not disabled, then the custom ones. */
export function activeRules(config: RedactionConfig): RedactionRule[] {
  const disabled = new Set(config.disable);
  return [...DEFAULT_RULES.filter((rule) => !disabled.has(rule.name)), ...config.rules];
}

/** The hub's redactor, or undefined when every rule is turned off. */
export function buildRedactor(config: RedactionConfig, onRedacted?: (rule: string, count: number) => void): Redactor | undefined {
  const rules = activeRules(config);
  return rules.length === 0 ? undefined : new Redactor(rules, onRedacted);
}

/** The rules offered to agents in their welcome, or undefined when there are none to offer. */
export function agentRedactionOffer(config: RedactionConfig): AgentRedaction | undefined {
  const rules = activeRules(config);
  return config.atAgents && rules.length > 0 ? offerRedaction(rules) : undefined;
}
