import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * UNIT_MS[match[2]!]!) : Number.NaN;
}

/** Commander parser for a duration a timer waits: a number and a unit, `500ms`, `10s`, `1.5m`, `2h`, `7d`. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (!(ms > 0) || ms > 2 ** 31 - 1) throw new InvalidArgumentError('expected a duration such as 500ms, 10s, 2m, 1h or 7d (at most 24 days)');
  return ms;
}

/** Commander parser for an age to keep things (no timer's 24-day bound): `12h`, `7d`, `90d`. */
export function parseAge(text: string): number {
  const ms = durationMs(text);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) throw new InvalidArgumentError('expected a duration such as 12h, 7d or 90d');
  return ms;
}
