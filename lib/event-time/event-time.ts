/**
 * The time a log line states about itself ("event time"), read from its first bytes. Runs on every
 * line the hub stores or matches, so it works on the raw bytes, looks at a bounded prefix, and
 * gives up at the first byte that rules a format out; no regular expression, no string is made.
 *
 * Formats, tried in this order (the rules are in docs/protocol.md, "Event time"):
 * - a JSON object line (`{` first): the first top-level `ts`, `time`, `timestamp` or `@timestamp`
 *   field holding an ISO string, a string of epoch digits, or a number of seconds, ms, µs or ns;
 * - epoch seconds (10 digits, optional fraction) or milliseconds (13 digits) at the line's start;
 * - the first of these that starts within the first PREFIX_BYTES bytes, on a word boundary:
 *   RFC 3339 / ISO 8601 (`2026-12-07T10:22:02.123Z`, `T` or a space, optional seconds, fraction
 *   and zone; no zone means UTC), common log format (`07/Dec/2026:10:22:02 +0000`, no zone means
 *   UTC), syslog (`Dec  7 10:22:02`: UTC, in the year that puts it nearest to the received time).
 * A result before 2000 or more than a day after the received time is no result.
 */
import { EVENT_BREAK_BYTE } from '../../protocol/index.js';
import { jsonFieldTime } from './json-field.js';
import { epochAt, numericTimeAt, plausibleEventTime, syslogAt } from './formats.js';
import { isDigit, isWordByte } from './time-bytes.js';

/** A timestamp must start within this many bytes of the line's start (after a level, a host, a bracket...). */
export const PREFIX_BYTES = 64;
const OPEN_BRACE = 0x7b;

/**
 * The time the line body[start, end) states, in ms since the Unix epoch, or undefined when it states
 * none that is plausible. `receivedTs` is when the agent read the line: it picks a syslog line's year
 * and bounds the result.
 */
export function eventTimeOf(body: Uint8Array, start: number, end: number, receivedTs: number): number | undefined {
  if (start >= end) return undefined;
  const first = body[start]!;
  if (first === OPEN_BRACE) return jsonFieldTime(body, start, end, receivedTs);
  if (isDigit(first)) {
    const epoch = epochAt(body, start, end);
    if (epoch !== undefined && plausibleEventTime(epoch, receivedTs)) return epoch;
  }
  const limit = Math.min(end, start + PREFIX_BYTES);
  let previousWord = false;
  for (let i = start; i < limit; i += 1) {
    const c = body[i]!;
    // An event's time is its first line's: never one its later lines state.
    if (c === EVENT_BREAK_BYTE) break;
    const word = isWordByte(c);
    if (word && !previousWord) {
      const ts = isDigit(c) ? numericTimeAt(body, i, end) : syslogAt(body, i, end, receivedTs);
      if (ts !== undefined && plausibleEventTime(ts, receivedTs)) return ts;
    }
    previousWord = word;
  }
  return undefined;
}

