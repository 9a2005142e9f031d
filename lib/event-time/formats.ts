/** The timestamp formats event-time.ts knows, each read from raw bytes at a given offset. */
import { byteAt, isDigit, isWordByte, readDigits, utcMs } from './time-bytes.js';

/** Earliest time taken as a line's own: 2000-01-01T00:00:00Z. */
const MIN_EVENT_TS = 946_684_800_000;
/** How far after the received time a stated time may lie (clock skew, a zone written wrong). */
const MAX_AHEAD_MS = 86_400_000;

const CHAR_T = 0x54;
const CHAR_t = 0x74;
const CHAR_Z = 0x5a;
const CHAR_z = 0x7a;
const SPACE = 0x20;
const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const SLASH = 0x2f;
const DOT = 0x2e;
const COMMA = 0x2c;

/**
 * Where the last readFraction, zoneAt or clockAt call stopped reading: they return a number and
 * leave their end here, so that no object is made per line.
 */
let cursor = 0;

/** True when `ts` may be a line's own time, given when the agent read the line. */
export function plausibleEventTime(ts: number, receivedTs: number): boolean {
  return ts >= MIN_EVENT_TS && ts <= receivedTs + MAX_AHEAD_MS;
}

/** ISO 8601 or common log format at `i`, which holds a digit. */
export function numericTimeAt(b: Uint8Array, i: number, end: number): number | undefined {
  if (byteAt(b, i + 4, end) === DASH) return isoAt(b, i, end);
  if (byteAt(b, i + 2, end) === SLASH) return clfAt(b, i, end);
  return undefined;
}

/**
 * Epoch seconds (exactly 10 digits, optionally `.fraction`) or milliseconds (exactly 13 digits) at
 * `i`, not followed by another word byte; undefined otherwise.
 */
export function epochAt(b: Uint8Array, i: number, end: number): number | undefined {
  let p = i;
  let value = 0;
  while (p < end && isDigit(b[p]!)) {
    value = value * 10 + (b[p]! - 0x30);
    p += 1;
    if (p - i > 13) return undefined;
  }
  const count = p - i;
  if (count === 13) return isWordByte(byteAt(b, p, end)) ? undefined : value;
  if (count !== 10) return undefined;
  let ms = 0;
  if (byteAt(b, p, end) === DOT && isDigit(byteAt(b, p + 1, end))) {
    ms = readFraction(b, p + 1, end);
    p = cursor;
  }
  return isWordByte(byteAt(b, p, end)) ? undefined : value * 1000 + ms;
}

/** Milliseconds of a decimal fraction's digits at `i` (truncated, not rounded); `cursor` is where they stop. */
function readFraction(b: Uint8Array, i: number, end: number): number {
  let p = i;
  let ms = 0;
  while (p < end && isDigit(b[p]!)) {
    if (p - i < 3) ms = ms * 10 + (b[p]! - 0x30);
    p += 1;
  }
  const count = p - i;
  if (count === 1) ms *= 100;
  else if (count === 2) ms *= 10;
  cursor = p;
  return ms;
}

/**
 * A zone offset at `p` in minutes east of UTC: `Z`, `±HH:MM`, `±HHMM` or `±HH`; `spaced` also takes
 * one space before a `±HHMM` or `±HH:MM`. 0 when there is none (UTC); NaN when one starts but is
 * malformed or out of range. `cursor` is where it stops.
 */
function zoneAt(b: Uint8Array, p: number, end: number, spaced: boolean): number {
  cursor = p;
  let c = byteAt(b, p, end);
  if (c === CHAR_Z || c === CHAR_z) {
    cursor = p + 1;
    return 0;
  }
  let at = p;
  if (spaced && c === SPACE) {
    const sign = byteAt(b, p + 1, end);
    // Only a full `±HHMM`/`±HH:MM` after a space: "10:22:02 -1 retries" is text, not a zone.
    if ((sign !== PLUS && sign !== DASH) || readDigits(b, p + 2, 2, end) < 0) return 0;
    const tail = byteAt(b, p + 4, end) === COLON ? p + 5 : p + 4;
    if (readDigits(b, tail, 2, end) < 0) return 0;
    at = p + 1;
    c = sign;
  }
  if (c !== PLUS && c !== DASH) return 0;
  const hours = readDigits(b, at + 1, 2, end);
  if (hours < 0) return Number.NaN;
  let next = at + 3;
  let minutes = 0;
  const colon = byteAt(b, next, end) === COLON;
  const mm = readDigits(b, colon ? next + 1 : next, 2, end);
  if (mm >= 0) {
    minutes = mm;
    next = colon ? next + 3 : next + 2;
  } else if (colon) {
    return Number.NaN;
  }
  if (hours > 23 || minutes > 59) return Number.NaN;
  const total = hours * 60 + minutes;
  cursor = next;
  return c === DASH ? -total : total;
}

/** `HH:MM[:SS][.fff|,fff]` at `p`: the time of day in ms, -1 when malformed; `cursor` is where it stops. */
function clockAt(b: Uint8Array, p: number, end: number, secondsRequired: boolean): number {
  const hour = readDigits(b, p, 2, end);
  if (hour < 0 || hour > 23 || byteAt(b, p + 2, end) !== COLON) return -1;
  const minute = readDigits(b, p + 3, 2, end);
  if (minute < 0 || minute > 59) return -1;
  let next = p + 5;
  let second = 0;
  let ms = 0;
  if (byteAt(b, next, end) === COLON) {
    second = readDigits(b, next + 1, 2, end);
    // 60: a leap second, which Date arithmetic carries into the next minute.
    if (second < 0 || second > 60) return -1;
    next += 3;
    const mark = byteAt(b, next, end);
    if ((mark === DOT || mark === COMMA) && isDigit(byteAt(b, next + 1, end))) {
      ms = readFraction(b, next + 1, end);
      next = cursor;
    }
  } else if (secondsRequired) {
    return -1;
  }
  if (isDigit(byteAt(b, next, end))) return -1;
  cursor = next;
  return ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** RFC 3339 / ISO 8601 `YYYY-MM-DD(T| )HH:MM[:SS[.f]][zone]` at `i`. A date alone is no time. */
function isoAt(b: Uint8Array, i: number, end: number): number | undefined {
  const year = readDigits(b, i, 4, end);
  if (year < 0 || byteAt(b, i + 4, end) !== DASH || byteAt(b, i + 7, end) !== DASH) return undefined;
  const month = readDigits(b, i + 5, 2, end);
  const day = readDigits(b, i + 8, 2, end);
  const separator = byteAt(b, i + 10, end);
  if (separator !== CHAR_T && separator !== CHAR_t && separator !== SPACE) return undefined;
  const clock = clockAt(b, i + 11, end, false);
  if (clock < 0) return undefined;
  const zone = zoneAt(b, cursor, end, true);
  if (Number.isNaN(zone)) return undefined;
  const date = utcMs(year, month, day);
  return date === undefined ? undefined : date + clock - zone * 60_000;
}

/** Month number (1-12) of the English three-letter abbreviation at `i` (`Jan`...`Dec`), or 0. */
function monthAt(b: Uint8Array, i: number, end: number): number {
  const first = b[i]!;
  // Most words are not months: only a capital letter and two lower-case ones are looked up.
  if (i + 3 > end || first < 0x41 || first > 0x5a || b[i + 1]! < 0x61) return 0;
  return MONTHS.get((b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!) ?? 0;
}

const MONTHS = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((name, index) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    index + 1,
  ]),
);

/** Common log format `DD/Mon/YYYY:HH:MM:SS[ ±HHMM]` at `i` (the `[` before it is not needed). */
function clfAt(b: Uint8Array, i: number, end: number): number | undefined {
  const day = readDigits(b, i, 2, end);
  const month = monthAt(b, i + 3, end);
  if (day < 0 || month === 0 || byteAt(b, i + 6, end) !== SLASH) return undefined;
  const year = readDigits(b, i + 7, 4, end);
  if (year < 0 || byteAt(b, i + 11, end) !== COLON) return undefined;
  const clock = clockAt(b, i + 12, end, true);
  if (clock < 0) return undefined;
  const zone = zoneAt(b, cursor, end, true);
  if (Number.isNaN(zone)) return undefined;
  const date = utcMs(year, month, day);
  return date === undefined ? undefined : date + clock - zone * 60_000;
}

/**
 * Syslog (RFC 3164) `Mon DD HH:MM:SS[.f]` at `i`, the day space-padded (`Dec  7`) or not. It has no
 * year and no zone: UTC, in whichever of the received time's year, the one before or the one after
 * puts it nearest to the received time (a December line read on January 1st is last year's).
 */
export function syslogAt(b: Uint8Array, i: number, end: number, receivedTs: number): number | undefined {
  const month = monthAt(b, i, end);
  if (month === 0 || byteAt(b, i + 3, end) !== SPACE) return undefined;
  let p = i + 4;
  if (byteAt(b, p, end) === SPACE) p += 1;
  let day = readDigits(b, p, 2, end);
  if (day >= 0) p += 2;
  else {
    day = readDigits(b, p, 1, end);
    if (day < 0) return undefined;
    p += 1;
  }
  if (byteAt(b, p, end) !== SPACE) return undefined;
  const clock = clockAt(b, p + 1, end, true);
  if (clock < 0 || !Number.isFinite(receivedTs)) return undefined;
  const receivedYear = new Date(receivedTs).getUTCFullYear();
  let best: number | undefined;
  for (let year = receivedYear - 1; year <= receivedYear + 1; year += 1) {
    const date = utcMs(year, month, day);
    if (date === undefined) continue; // Feb 29 in a common year
    const ts = date + clock;
    if (best === undefined || Math.abs(ts - receivedTs) < Math.abs(best - receivedTs)) best = ts;
  }
  return best;
}

/** A string value's time: ISO 8601 or epoch digits at its very start. */
export function timeAtStart(b: Uint8Array, i: number, end: number): number | undefined {
  if (!isDigit(byteAt(b, i, end))) return undefined;
  return byteAt(b, i + 4, end) === DASH ? isoAt(b, i, end) : epochAt(b, i, end);
}
