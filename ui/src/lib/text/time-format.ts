/** Times in the stream are local wall-clock with milliseconds; copies use ISO-8601 UTC (time zones differ between readers). */

/**
 * Put before a time that is when the line was received, because the line states no time of its own
 * (docs/protocol.md, "Event time"): in rows, copies and captures alike.
 */
export const RECEIVED_MARK = '~';

/** The time to show for a line: the one it states (`eventTs`), else when it was received, marked so. */
export function lineTime(line: { ts: number; eventTs?: number | undefined }): { ts: number; received: boolean } {
  return line.eventTs === undefined ? { ts: line.ts, received: true } : { ts: line.eventTs, received: false };
}

/** The tooltip of a line's time: which time it is, and the other one. */
export function lineTimeTitle(line: { ts: number; eventTs?: number | undefined }): string {
  return line.eventTs === undefined
    ? `${RECEIVED_MARK} received ${formatIso(line.ts)}: the line states no time of its own`
    : `stated in the line: ${formatIso(line.eventTs)}; received ${formatIso(line.ts)}`;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

export function formatClock(ts: number): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** `12:00:03.250` in UTC: capture pages are read across time zones. */
export function formatUtcClock(ts: number): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return 'invalid time';
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`;
}

/** ISO-8601 UTC; a timestamp no date can represent (1e300 from a hostile peer) shows as the number. */
export function formatIso(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? `invalid-time(${ts})` : date.toISOString();
}

/** "3.2 s", "4 min 05 s": for how long a connection was lost. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`;
}

/** 12, 1.2k, 34k, 1.2M: line rates and counts in tight places. */
export function formatCount(value: number): string {
  if (value < 1000) return String(Math.round(value * 10) / 10);
  if (value < 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (value < 1_000_000) return `${Math.round(value / 1000)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `14:02:11`: local wall-clock to the second, for deploy markers. */
export function formatTimeOfDay(ts: number): string {
  return formatClock(ts).slice(0, 8);
}

/** "just now", "42 s ago", "12 min ago", "3 h 05 min ago": how long since a deploy. */
export function formatAgo(ms: number): string {
  if (ms < 5_000) return 'just now';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min ago`;
}
