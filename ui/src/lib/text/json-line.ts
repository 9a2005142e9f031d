/**
 * JSON lines, pretty-printed on demand. Structured loggers often prefix the object with a timestamp or
 * level, so the JSON may start anywhere; it must run to the end of the line.
 */

/** Each attempt parses the rest of the line; a bracket-heavy 64 KiB line must not cost seconds. */
const MAX_ATTEMPTS = 16;

/** Cheap test run for every visible row: could this line end in a JSON object or array? */
export function mayContainJson(text: string): boolean {
  const trimmed = text.trimEnd();
  const last = trimmed[trimmed.length - 1];
  return (last === '}' && trimmed.includes('{')) || (last === ']' && trimmed.includes('['));
}

/**
 * The line with its trailing JSON value indented, or undefined if no `{` or `[` starts a value that
 * parses through to the end of the line. Tries each opening bracket left to right, so a prefix such
 * as `[worker-1] {"a":1}` still finds the object.
 */
export function prettyJson(text: string): string | undefined {
  const found = trailingJson(text);
  if (!found) return undefined;
  const body = JSON.stringify(found.value, null, 2);
  return found.prefix ? `${found.prefix}\n${body}` : body;
}

/**
 * Whether the line ends in a JSON object or array that parses (`…card=[REDACTED]` does not): the
 * rows offer to pretty-print only those.
 */
export function hasTrailingJson(text: string): boolean {
  return trailingJson(text) !== undefined;
}

function trailingJson(text: string): { prefix: string; value: unknown } | undefined {
  const trimmed = text.trimEnd();
  if (!mayContainJson(trimmed)) return undefined;
  let attempts = 0;
  for (let index = 0; index < trimmed.length && attempts < MAX_ATTEMPTS; index++) {
    const char = trimmed[index];
    if (char !== '{' && char !== '[') continue;
    attempts += 1;
    try {
      const value: unknown = JSON.parse(trimmed.slice(index));
      return { prefix: trimmed.slice(0, index).trimEnd(), value };
    } catch {
      // Not valid JSON from this bracket; a later one may be where the value starts.
    }
  }
  return undefined;
}
