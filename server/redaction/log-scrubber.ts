import type { Redactor } from '../../lib/redaction/redactor.js';

function redactStrings(value: unknown, redactor: Pick<Redactor, 'redactLine'>): unknown {
  if (typeof value === 'string') return redactor.redactLine(value);
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redactor));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, redactor)]));
  }
  return value;
}

/**
 * For pino's `streamWrite` hook: the hub's log lines with the same secrets replaced as in log lines
 * it delivers, so nothing it logs (a pattern someone typed, a line quoted in an error) shows one.
 * Redacts the serialized JSON as text (the built-in rules stop at quotes and backslashes, so the
 * JSON stays valid); should a custom rule break the JSON, every string in the record is redacted on
 * its own instead.
 */
export function logScrubber(redactor: Pick<Redactor, 'redactLine'>): (line: string) => string {
  return (line) => {
    const redacted = redactor.redactLine(line);
    if (redacted === line) return line;
    try {
      JSON.parse(redacted);
      return redacted;
    } catch {
      // The rules cut through the JSON's syntax; fall through to redacting value by value.
    }
    try {
      return `${JSON.stringify(redactStrings(JSON.parse(line), redactor))}\n`;
    } catch {
      // Not a JSON record at all (pino writes nothing else, but be safe): the text redaction it is.
      return redacted;
    }
  };
}
