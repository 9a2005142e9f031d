import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../../../lib/redaction/redaction-rules.js';
import { Redactor } from '../../../../lib/redaction/redactor.js';
import { lazy } from '../../../helpers/lazy.js';
import { LOOK_ALIKES, SECRET_LINES } from './corpus.js';

const REPLACEMENT = '[REDACTED]';
const SLICE = 4;

/**
 * What of `secrets` survives in `output`: a whole secret, or any 4-character slice of one that
 * neither the rest of the line (`context`) nor the replacement text accounts for.
 */
function leaks(output: string, context: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    if (secret.length >= SLICE && output.includes(secret)) found.push(secret);
    for (let i = 0; i + SLICE <= secret.length; i += 1) {
      const slice = secret.slice(i, i + SLICE);
      if (output.includes(slice) && !context.includes(slice) && !REPLACEMENT.includes(slice)) found.push(slice);
    }
  }
  return found;
}

/** `line` with `spans` taken out: the text whose slices are not the secrets'. */
function without(line: string, spans: ReadonlyArray<[number, number]>): string {
  let out = '';
  let cursor = 0;
  for (const [start, end] of spans) {
    out += `${line.slice(cursor, start)}\u0000`;
    cursor = end;
  }
  return out + line.slice(cursor);
}

describe('the redaction corpus', () => {
  const redactor = lazy(() => new Redactor(DEFAULT_RULES));

  it('has at least 60 secret forms and 60 look-alikes', () => {
    expect(SECRET_LINES.length).toBeGreaterThanOrEqual(60);
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(SECRET_LINES.map((entry) => [entry.line, entry] as const))('hides every secret in %s', (_line, { line, secrets, spans }) => {
    const output = redactor().redactLine(line);
    expect(leaks(output, without(line, spans), secrets)).toEqual([]);
    // Redacting again changes nothing.
    expect(redactor().redactLine(output)).toBe(output);
  });

  it.each(LOOK_ALIKES.map((line) => [line]))('leaves %s as it is', (line) => {
    expect(redactor().redactLine(line)).toBe(line);
  });

  // A line cut at a length limit anywhere inside a secret keeps no slice of it: the cut may leave
  // too little of the secret for its rule, so the tail of a cut line is hidden too.
  it('hides what is left of a secret in a line cut inside it', () => {
    const failures: string[] = [];
    for (const { line, spans } of SECRET_LINES) {
      for (const [start, end] of spans) {
        for (let cutAt = start + 1; cutAt < end; cutAt += 1) {
          const cut = line.slice(0, cutAt);
          const kept = spans.filter(([s]) => s < cutAt).map(([s, e]): [number, number] => [s, Math.min(e, cutAt)]);
          const result = redactor().redactBody(Buffer.from(`${cut}\n`), new Set([0]));
          const output = result === undefined ? cut : result.body.toString('utf8').slice(0, -1);
          const leaked = leaks(output, without(cut, kept), kept.map(([s, e]) => cut.slice(s, e)));
          if (leaked.length > 0) failures.push(`${JSON.stringify(cut)} -> ${JSON.stringify(output)}: ${leaked.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
