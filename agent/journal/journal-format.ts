import { EVENT_BREAK, NUL_STAND_IN } from '../../protocol/index.js';
import { fieldText, type JournalRecord } from './journal-record.js';

/**
 * syslog priorities 0 to 7 as the upper-case words the UI's level detection reads
 * (ui/src/lib/text/log-level.ts).
 */
const PRIORITY_WORDS = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;

/** Latest time a Date can hold, in ms. */
const MAX_DATE_MS = 8.64e15;

/**
 * One journal entry as one log line:
 *
 *   <time> <PRIORITY> [<_HOSTNAME> ]<SYSLOG_IDENTIFIER>[<_PID>]: <MESSAGE>
 *
 * The time is `__REALTIME_TIMESTAMP` in RFC 3339, UTC, with microseconds, first on the line so the
 * hub reads it as the event time (lib/event-time/). The priority is a syslog level word (ERR,
 * WARNING, INFO...). `_HOSTNAME` is written only when it differs from `agentName`, the host the
 * agent reports every line under. The identifier falls back to `_SYSTEMD_UNIT`, then `_COMM`, then
 * `journal`. Parts that are absent are left out. An entry is always one record: a MESSAGE of several
 * lines is one multi-line event (its line breaks written as EVENT_BREAK), newlines in the other
 * fields become the two characters `\n`, a lone `\r` becomes `\r`, trailing newlines are dropped,
 * and a NUL byte is written as U+2400.
 */
export function formatJournalRecord(record: JournalRecord, agentName: string): string {
  const parts: string[] = [];
  const time = realtimeText(record.__REALTIME_TIMESTAMP);
  if (time !== undefined) parts.push(time);
  const priority = fieldText(record.PRIORITY);
  const word = priority !== undefined && /^[0-7]$/.test(priority) ? PRIORITY_WORDS[Number(priority)] : undefined;
  if (word !== undefined) parts.push(word);
  const host = fieldText(record._HOSTNAME);
  if (host !== undefined && host !== '' && host !== agentName) parts.push(oneLine(host));
  const ident = nonEmpty(fieldText(record.SYSLOG_IDENTIFIER)) ?? nonEmpty(fieldText(record._SYSTEMD_UNIT)) ?? nonEmpty(fieldText(record._COMM)) ?? 'journal';
  const pid = fieldText(record._PID);
  parts.push(`${oneLine(ident)}${pid !== undefined && /^\d{1,10}$/.test(pid) ? `[${pid}]` : ''}:`);
  const message = eventLines(fieldText(record.MESSAGE) ?? '');
  if (message !== '') parts.push(message);
  return parts.join(' ');
}

/** `__REALTIME_TIMESTAMP` (µs since the epoch) as `2026-12-07T20:49:40.123456Z`. */
export function realtimeText(micros: string | undefined): string | undefined {
  if (micros === undefined) return undefined;
  const us = BigInt(micros);
  const ms = Number(us / 1000n);
  if (ms > MAX_DATE_MS) return undefined;
  const fraction = String(us % 1_000_000n).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

/** Drops trailing line ends and escapes the others. */
function oneLine(text: string): string {
  return withoutNul(text)
    .replace(/[\r\n]+$/, '')
    .replace(/\r?\n|\r/g, (end) => (end === '\r' ? '\\r' : '\\n'));
}

/** Drops trailing line ends; the others break the event. */
function eventLines(text: string): string {
  return withoutNul(text)
    .replace(/[\r\n]+$/, '')
    .replace(/\r?\n|\r/g, (end) => (end === '\r' ? '\\r' : EVENT_BREAK));
}

function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', NUL_STAND_IN) : text;
}
