import { z } from 'zod';
import { matchesSchema, type Matches } from '../../../../protocol/index.js';

/**
 * Validation of `matches` frames without zod walking every line. At 20,000 lines/s the protocol's
 * schema would build a copy of every line and every range on the main thread, only to check types
 * JSON.parse already produced. The envelope still goes through zod (the protocol's own schema, minus the
 * lines); each line gets the same checks as `matchedLineSchema`, written out as plain type tests that
 * neither allocate nor copy. A frame with one bad line is refused whole, as the schema would.
 */

const envelopeSchema = matchesSchema.extend({ lines: z.array(z.unknown()) });

export type MatchesResult = { ok: true; value: Matches } | { ok: false; error: string };

/** Whether `raw` (parsed JSON) is a `matches` frame, by its type alone: then decodeMatches applies. */
export function isMatchesFrame(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'matches';
}

export function decodeMatches(raw: unknown): MatchesResult {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, error: z.prettifyError(envelope.error) };
  const { lines } = envelope.data;
  for (let i = 0; i < lines.length; i++) {
    const problem = lineProblem(lines[i]);
    if (problem !== undefined) return { ok: false, error: `lines[${i}]: ${problem}` };
  }
  return { ok: true, value: envelope.data as Matches };
}

/** What makes `value` not a MatchedLine (the checks of matchedLineSchema), or undefined when it is one. */
function lineProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const line = value as Record<string, unknown>;
  for (const key of ['id', 'host', 'file', 'line'] as const) {
    if (typeof line[key] !== 'string') return `${key} is not a string`;
  }
  if (typeof line.ts !== 'number' || !Number.isFinite(line.ts)) return 'ts is not a number';
  if (line.eventTs !== undefined && (typeof line.eventTs !== 'number' || !Number.isFinite(line.eventTs))) return 'eventTs is not a number';
  if (line.truncated !== undefined && typeof line.truncated !== 'boolean') return 'truncated is not a boolean';
  const ranges = line.ranges;
  if (!Array.isArray(ranges)) return 'ranges is not an array';
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length !== 2 || !isOffset(range[0]) || !isOffset(range[1])) return 'a range is not [start, end]';
  }
  return undefined;
}

/** z.number().int().nonnegative(): zod's int() takes safe integers only, so 2^53 and beyond are refused. */
function isOffset(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
