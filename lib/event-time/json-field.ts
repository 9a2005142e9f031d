/**
 * The time field of a JSON object line, found without parsing the line: the object's top-level keys
 * are walked and every other value is skipped over (strings by their quotes, nested objects and
 * arrays by their brackets), within the first JSON_SCAN_BYTES bytes.
 */
import { plausibleEventTime, timeAtStart } from './formats.js';
import { isDigit } from './time-bytes.js';

/** How much of a JSON line is searched for a time field (loggers that sort keys put `time` last). */
export const JSON_SCAN_BYTES = 8192;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const DOT = 0x2e;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The keys that name a line's time, as bytes. */
const TIME_KEYS = ['ts', 'time', 'timestamp', '@timestamp'].map((key) => Buffer.from(key, 'latin1'));

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function skipSpace(b: Uint8Array, p: number, end: number): number {
  while (p < end && isSpace(b[p]!)) p += 1;
  return p;
}

/** Where the string whose opening quote is at `p` ends (its closing quote), or -1 when it does not end before `end`. */
function stringEnd(b: Uint8Array, p: number, end: number): number {
  for (let i = p + 1; i < end; i += 1) {
    const c = b[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i += 1;
  }
  return -1;
}

/** Where the value that starts at `p` ends (one past its last byte), or -1 when it is cut off or malformed. */
function skipValue(b: Uint8Array, p: number, end: number): number {
  const first = b[p];
  if (first === QUOTE) {
    const close = stringEnd(b, p, end);
    return close < 0 ? -1 : close + 1;
  }
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = p; i < end; i += 1) {
      const c = b[i]!;
      if (c === QUOTE) {
        i = stringEnd(b, i, end);
        if (i < 0) return -1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth += 1;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let i = p;
  while (i < end && b[i] !== COMMA && b[i] !== CLOSE_BRACE && !isSpace(b[i]!)) i += 1;
  return i === p ? -1 : i;
}

function isTimeKey(b: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  for (const key of TIME_KEYS) {
    if (key.length !== length) continue;
    let same = true;
    for (let i = 0; i < length && same; i += 1) same = b[start + i] === key[i];
    if (same) return true;
  }
  return false;
}

/**
 * A JSON number of epoch time at `p`, told apart by size: seconds below 1e11 (a fraction gives the
 * milliseconds), milliseconds below 1e14, microseconds below 1e17, nanoseconds above. Undefined for
 * a negative number, an exponent, or anything that does not end where a JSON value ends.
 */
function epochNumberAt(b: Uint8Array, p: number, end: number): number | undefined {
  let i = p;
  let value = 0;
  while (i < end && isDigit(b[i]!)) {
    value = value * 10 + (b[i]! - 0x30);
    i += 1;
  }
  if (i === p) return undefined;
  let fractionMs = 0;
  if (i < end && b[i] === DOT) {
    const from = i + 1;
    i = from;
    while (i < end && isDigit(b[i]!)) {
      if (i - from < 3) fractionMs = fractionMs * 10 + (b[i]! - 0x30);
      i += 1;
    }
    if (i === from) return undefined;
    fractionMs *= i - from === 1 ? 100 : i - from === 2 ? 10 : 1;
  }
  if (i < end && b[i] !== COMMA && b[i] !== CLOSE_BRACE && !isSpace(b[i]!)) return undefined;
  if (value < 1e11) return value * 1000 + fractionMs;
  if (value < 1e14) return value;
  if (value < 1e17) return Math.floor(value / 1e3);
  return Math.floor(value / 1e6);
}

/**
 * The time in the first top-level `ts`, `time`, `timestamp` or `@timestamp` field of the JSON object
 * line body[start, end) (`{` at `start`) that holds a plausible one: a string with an ISO 8601 time or
 * epoch digits at its start, or a number. Keys written with escapes are not recognised.
 */
export function jsonFieldTime(b: Uint8Array, start: number, end: number, receivedTs: number): number | undefined {
  const limit = Math.min(end, start + JSON_SCAN_BYTES);
  let p = skipSpace(b, start + 1, limit);
  while (p < limit && b[p] === QUOTE) {
    const keyEnd = stringEnd(b, p, limit);
    if (keyEnd < 0) return undefined;
    const wanted = isTimeKey(b, p + 1, keyEnd);
    p = skipSpace(b, keyEnd + 1, limit);
    if (b[p] !== COLON) return undefined;
    p = skipSpace(b, p + 1, limit);
    if (p >= limit) return undefined;
    if (wanted) {
      let ts: number | undefined;
      if (b[p] === QUOTE) {
        const close = stringEnd(b, p, limit);
        if (close > 0) ts = timeAtStart(b, p + 1, close);
      } else {
        ts = epochNumberAt(b, p, limit);
      }
      if (ts !== undefined && plausibleEventTime(ts, receivedTs)) return ts;
    }
    p = skipValue(b, p, limit);
    if (p < 0) return undefined;
    p = skipSpace(b, p, limit);
    if (b[p] !== COMMA) return undefined;
    p = skipSpace(b, p + 1, limit);
  }
  return undefined;
}
