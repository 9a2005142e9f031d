import type { Capture, FilterSpec } from '../../protocol/index.js';

/**
 * A capture as Markdown, for pasting into a post-mortem. Everything in it came from a client and may
 * be hostile, so no part of it can turn into Markdown structure: free text is backslash-escaped,
 * patterns sit in code spans, and the lines sit in a fence longer than any run of backticks they
 * contain (a line such as "```" cannot close it). Line breaks inside a value are shown as `\n`
 * (`\r`), so one captured line stays one line and a blank line cannot end a list item.
 */
export function captureMarkdown(capture: Capture): string {
  const body = capture.lines.map((line) => `${lineTime(line)} ${oneLine(line.host)} ${oneLine(line.file)} | ${oneLine(line.line)}`);
  const received = capture.lines.filter((line) => line.eventTs === undefined).length;
  const fence = fenceFor(body);
  return [
    `# ${escapeText(capture.title)}`,
    '',
    `- Captured by: ${capture.createdBy === undefined ? 'not recorded (the hub has no tokens)' : escapeText(capture.createdBy)}`,
    `- Captured at: ${isoTime(capture.createdAt)}`,
    `- Filter: ${describeFilter(capture.filter)}`,
    ...(capture.range ? [`- Searched: from ${isoTime(capture.range.from)} to ${isoTime(capture.range.to)}`] : []),
    `- Lines: ${capture.lines.length}, ${describeRange(capture.lines.map((line) => line.eventTs ?? line.ts))}`,
    ...(received > 0 ? [`- Times marked ${codeSpan(RECEIVED_MARK)} (${received} of ${capture.lines.length} lines): when the line was received; it states no time of its own`] : []),
    `- Capture id: ${codeSpan(capture.id)}`,
    '',
    `${fence}text`,
    ...body,
    fence,
    '',
  ].join('\n');
}

/** Put before a line's time when it is the time the line was received: the line states none (docs/protocol.md). */
const RECEIVED_MARK = '~';

/** The time a line states, or `~` and when it was received when it states none. */
function lineTime(line: { ts: number; eventTs?: number | undefined }): string {
  return line.eventTs === undefined ? RECEIVED_MARK + isoTime(line.ts) : isoTime(line.eventTs);
}

/** ISO-8601 in UTC; a timestamp Date cannot represent (a hostile 1e300) is shown as the number. */
export function isoTime(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? `${ts} (not a valid time)` : date.toISOString();
}

function oneLine(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** A backtick fence longer than any backtick run in `lines` (at least the usual three). */
export function fenceFor(lines: readonly string[]): string {
  let longest = 0;
  for (const line of lines) longest = Math.max(longest, longestBacktickRun(line));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Inline code that shows `text` verbatim whatever backticks it holds (CommonMark code span rules). */
export function codeSpan(text: string): string {
  const flat = oneLine(text);
  const ticks = '`'.repeat(longestBacktickRun(flat) + 1);
  // A span that starts or ends with a backtick needs a space inside its delimiters; one space on
  // each side is stripped again by renderers.
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Backslash-escapes the punctuation that could start Markdown or HTML structure in free text. */
export function escapeText(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&#]/g, '\\$&');
}


/** "query `x`, exclude `y`, case-insensitive, hosts `web-*`, all files" */
export function describeFilter(filter: FilterSpec | undefined): string {
  if (!filter) return 'not recorded';
  const parts = [filter.query === '' ? 'query empty (every line)' : `query ${codeSpan(filter.query)}`];
  if (filter.exclude) parts.push(`exclude ${codeSpan(filter.exclude)}`);
  parts.push(filter.caseInsensitive ? 'case-insensitive' : 'case-sensitive');
  parts.push(filter.hosts && filter.hosts.length > 0 ? `hosts ${filter.hosts.map(codeSpan).join(' ')}` : 'all hosts');
  parts.push(filter.files && filter.files.length > 0 ? `files ${filter.files.map(codeSpan).join(' ')}` : 'all files');
  return parts.join(', ');
}

/** "from <earliest> to <latest>" over the lines' timestamps, whatever their order. */
export function describeRange(timestamps: readonly number[]): string {
  if (timestamps.length === 0) return 'no time range';
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const ts of timestamps) {
    earliest = Math.min(earliest, ts);
    latest = Math.max(latest, ts);
  }
  return earliest === latest ? `all at ${isoTime(earliest)}` : `from ${isoTime(earliest)} to ${isoTime(latest)}`;
}
