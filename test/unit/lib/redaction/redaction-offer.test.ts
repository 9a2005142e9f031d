import { describe, expect, it } from 'vitest';
import { acceptRedaction, offerRedaction, redactionDigest } from '../../../../lib/redaction/redaction-offer.js';
import { DEFAULT_RULES, type RedactionRule } from '../../../../lib/redaction/redaction-rules.js';

const CUSTOM: RedactionRule = { name: 'employee-id', pattern: '\\bEMP-\\d{6}\\b', replacement: '[EMPLOYEE]' };

describe('offerRedaction / acceptRedaction', () => {
  it('hands the rules over as plain data and gets the same rules back', () => {
    const offer = offerRedaction([...DEFAULT_RULES, CUSTOM]);
    // What travels is JSON: no functions, nothing lost on the way.
    const received = JSON.parse(JSON.stringify(offer)) as typeof offer;
    expect(received).toEqual(offer);
    const accepted = acceptRedaction(received);
    expect(accepted).toEqual({ rules: [...DEFAULT_RULES, CUSTOM] });
  });

  it('names the rules by a digest that changes with every field and with their order', () => {
    const base = offerRedaction([CUSTOM]).digest;
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(offerRedaction([{ ...CUSTOM }]).digest).toBe(base);
    const variants: RedactionRule[][] = [
      [{ ...CUSTOM, name: 'employee' }],
      [{ ...CUSTOM, pattern: '\\bEMP-\\d{7}\\b' }],
      [{ ...CUSTOM, replacement: '[REDACTED]' }],
      [{ ...CUSTOM, refine: 'card-number' }],
      [CUSTOM, DEFAULT_RULES[0]!],
      [DEFAULT_RULES[0]!, CUSTOM],
    ];
    const digests = variants.map((rules) => offerRedaction(rules).digest);
    expect(new Set([base, ...digests]).size).toBe(variants.length + 1);
  });

  it('refuses an offer whose digest is not its own reckoning (another version of the redaction code)', () => {
    const offer = offerRedaction([CUSTOM]);
    const accepted = acceptRedaction({ ...offer, digest: redactionDigest([{ ...CUSTOM, replacement: 'x' }]) });
    expect(accepted).toEqual({ problem: expect.stringMatching(/another version of the redaction code/) });
  });

  it('refuses a rule that asks for a check this side does not know', () => {
    const rules = [{ ...CUSTOM, refine: 'iban' }];
    const accepted = acceptRedaction({ digest: redactionDigest(rules), rules });
    expect(accepted).toEqual({ problem: 'rule "employee-id" asks for a check this agent does not know ("iban")' });
  });
});
