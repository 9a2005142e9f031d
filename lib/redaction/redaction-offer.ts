import { createHash } from 'node:crypto';
import type { AgentRedaction, RedactionRuleWire } from '../../protocol/index.js';
import { REDACTION_ENGINE_VERSION, REFINERS, type RedactionRule, type RefinerName } from './redaction-rules.js';

/**
 * The digest an agent names in the frames it redacted. It covers every field of every rule, in
 * order, and the version of the code that applies them: a hub skips its own scan only for frames
 * redacted by exactly its rules under exactly its behaviour, so an agent of another version or a
 * hub restarted with other rules never lets a frame through unscanned.
 */
export function redactionDigest(rules: readonly RedactionRuleWire[]): string {
  const canonical = JSON.stringify({
    engine: REDACTION_ENGINE_VERSION,
    rules: rules.map((rule) => [rule.name, rule.pattern, rule.replacement, rule.refine ?? null]),
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** What a hub puts in its welcome so that its agents redact before lines leave their hosts. */
export function offerRedaction(rules: readonly RedactionRule[]): AgentRedaction {
  const wire = rules.map(({ name, pattern, replacement, refine }): RedactionRuleWire => (refine === undefined ? { name, pattern, replacement } : { name, pattern, replacement, refine }));
  return { digest: redactionDigest(wire), rules: wire };
}

function isRefiner(name: string): name is RefinerName {
  return Object.hasOwn(REFINERS, name);
}

/**
 * The rules of a hub's offer, or why this agent cannot apply them as the hub would: a second look it
 * does not know, or a digest that differs from its own reckoning (another version of the redaction
 * code). The caller then sends lines unredacted and the hub scans them itself.
 */
export function acceptRedaction(offer: AgentRedaction): { rules: RedactionRule[] } | { problem: string } {
  const rules: RedactionRule[] = [];
  for (const rule of offer.rules) {
    if (rule.refine !== undefined && !isRefiner(rule.refine)) {
      return { problem: `rule "${rule.name}" asks for a check this agent does not know ("${rule.refine}")` };
    }
    rules.push(rule.refine === undefined ? { name: rule.name, pattern: rule.pattern, replacement: rule.replacement } : { ...rule, refine: rule.refine });
  }
  if (redactionDigest(offer.rules) !== offer.digest) {
    return { problem: 'the digest of the rules differs: the hub runs another version of the redaction code' };
  }
  return { rules };
}
