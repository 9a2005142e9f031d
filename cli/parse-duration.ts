import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Commander parser for a duration: a number and a unit, `500ms`, `10s`, `1.5m`, `2h`. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2]!]!) : Number.NaN;
  if (!(ms > 0) || ms > 2 ** 31 - 1) throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 2m or 1h (at most 24 days)');
  return ms;
}
