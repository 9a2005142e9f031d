import { describe, expect, it } from 'vitest';
import { EdgeRedaction } from '../../../../agent/shipping/edge-redaction.js';
import { offerRedaction, redactionDigest } from '../../../../lib/redaction/redaction-offer.js';
import { DEFAULT_RULES } from '../../../../lib/redaction/redaction-rules.js';
import { captureLogger } from '../../../helpers/agent-harness.js';

const OFFER = offerRedaction(DEFAULT_RULES);
const body = (lines: string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(''));

describe('EdgeRedaction', () => {
  it('sends lines as read, naming no rules, until a hub offers some', () => {
    const edge = new EdgeRedaction(captureLogger().logger);
    const lines = body(['token=abc123def456']);
    expect(edge.apply(lines, [], 1 << 20)).toEqual({ body: lines, truncated: [], digest: undefined, counts: undefined });
    expect(edge.active).toBe(false);
  });

  it("replaces secrets with the hub's rules, names their digest, counts by rule, and moves cut lines' offsets", () => {
    const { logger, records } = captureLogger();
    const edge = new EdgeRedaction(logger);
    edge.adopt(OFFER);
    expect(edge.active).toBe(true);
    expect(records.map((r) => r.msg)).toContain("redacting lines with the hub's rules before sending them");
    // The third line was cut by the agent at its line limit, inside an AWS key id: the part of the
    // key before the cut is too short for its rule, and is hidden as the cut line's last token.
    // The first two lines change length before it.
    const read = body(['GET / Authorization: Bearer abcdefgh12345678', 'login password=hunter2 ok', 'a cut line AKIAIOSFODN']);
    const cutAt = read.indexOf('a cut line');
    const out = edge.apply(read, [cutAt], 1 << 20);
    const text = ['GET / Authorization: Bearer [REDACTED]', 'login password=[REDACTED] ok', 'a cut line [REDACTED]'];
    expect(out.body.toString()).toBe(text.map((line) => `${line}\n`).join(''));
    expect(out.truncated).toEqual([out.body.indexOf('a cut line')]);
    expect(out.digest).toBe(OFFER.digest);
    expect(out.counts).toEqual({ 'bearer-token': 1, password: 1, 'cut-line-tail': 1 });
  });

  it('returns the very buffer it was given when nothing in it is a secret', () => {
    const edge = new EdgeRedaction(captureLogger().logger);
    edge.adopt(OFFER);
    const read = body(['GET /health 200 2ms', 'nothing to hide here']);
    const out = edge.apply(read, [], 1 << 20);
    expect(out.body).toBe(read);
    expect(out).toMatchObject({ digest: OFFER.digest, counts: undefined });
  });

  it('leaves a body that replacements would make too long for a frame to the hub', () => {
    const edge = new EdgeRedaction(captureLogger().logger);
    edge.adopt(OFFER);
    // "pwd=x" becomes "pwd=[REDACTED]": every line grows by 9 bytes.
    const read = body(Array.from({ length: 100 }, (_, i) => `pwd=${i % 10}`));
    expect(edge.apply(read, [], read.length + 100)).toEqual({ body: read, truncated: [], digest: undefined, counts: undefined });
    expect(edge.apply(read, [], read.length + 900).digest).toBe(OFFER.digest);
  });

  it('keeps what it compiled across connections to a hub with the same rules, and drops it for none', () => {
    const { logger, records } = captureLogger();
    const edge = new EdgeRedaction(logger);
    edge.adopt(OFFER);
    edge.adopt(JSON.parse(JSON.stringify(OFFER)));
    expect(records.filter((r) => r.msg === "redacting lines with the hub's rules before sending them")).toHaveLength(1);
    edge.adopt(undefined);
    expect(edge.active).toBe(false);
  });

  it('falls back to the hub redacting when it cannot apply the rules as the hub would', () => {
    const { logger, records } = captureLogger();
    const edge = new EdgeRedaction(logger);
    const unknownCheck = [{ name: 'iban', pattern: '\\bDE\\d{20}\\b', replacement: '[IBAN]', refine: 'iban' }];
    edge.adopt({ digest: redactionDigest(unknownCheck), rules: unknownCheck });
    expect(edge.active).toBe(false);
    // A pattern RE2 refuses (a hub of another build may accept syntax this one does not).
    const bad = [{ name: 'broken', pattern: '(unclosed', replacement: 'x' }];
    edge.adopt({ digest: redactionDigest(bad), rules: bad });
    expect(edge.active).toBe(false);
    const warnings = records.filter((r) => r.level === 40).map((r) => r.msg);
    expect(warnings).toEqual([
      "cannot apply the hub's redaction rules; the hub redacts this agent's lines",
      "cannot compile the hub's redaction rules; the hub redacts this agent's lines",
    ]);
    expect(edge.apply(body(['token=abc123def456']), [], 1 << 20).digest).toBeUndefined();
  });
});
