import type { FilterSpec, LogLine } from '../../../../protocol/index.js';
import { stripAnsi } from '../../lib/text/ansi.js';
import { formatIso, lineTime, RECEIVED_MARK } from '../../lib/text/time-format.js';

/**
 * Selected lines as text for a post-mortem: plain (one line per log line) or Markdown (a header
 * naming the filter and time range, then a fenced block). Colour escapes are removed: they are noise
 * in a ticket. Lines keep the order they had in the stream.
 */

/**
 * `2024-05-01T12:00:00.000Z web-1 /var/log/app.log GET /x 500`: the time the line states, or
 * `~` and when it was received when it states none.
 */
export function formatLine(line: LogLine): string {
  const time = lineTime(line);
  return `${time.received ? RECEIVED_MARK : ''}${formatIso(time.ts)} ${line.host} ${line.file} ${stripAnsi(line.line)}`;
}

export function formatPlain(lines: readonly LogLine[]): string {
  return lines.map(formatLine).join('\n') + (lines.length > 0 ? '\n' : '');
}

export function formatMarkdown(lines: readonly LogLine[], filter: FilterSpec): string {
  const body = lines.map(formatLine).join('\n');
  const fence = fenceFor(body);
  return [`**supergrep** ${describeFilter(filter)}`, '', describeRange(lines), '', fence, body, fence, ''].join('\n');
}

/** `query` · exclude `x` · hosts `web-*` · files `*.log` · case-insensitive */
export function describeFilter(filter: FilterSpec): string {
  const parts = [filter.query === '' ? 'all lines' : inlineCode(filter.query)];
  if (filter.exclude) parts.push(`exclude ${inlineCode(filter.exclude)}`);
  if (filter.hosts?.length) parts.push(`hosts ${filter.hosts.map(inlineCode).join(', ')}`);
  if (filter.files?.length) parts.push(`files ${filter.files.map(inlineCode).join(', ')}`);
  if (filter.caseInsensitive) parts.push('case-insensitive');
  return parts.join(' · ');
}

function describeRange(lines: readonly LogLine[]): string {
  if (lines.length === 0) return 'No lines.';
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    const { ts } = lineTime(line);
    first = Math.min(first, ts);
    last = Math.max(last, ts);
  }
  const count = lines.length === 1 ? '1 line' : `${lines.length} lines`;
  return `${formatIso(first)} – ${formatIso(last)} (${count})`;
}

/** A backtick fence longer than any backtick run in the body, so a log line cannot close it early. */
function fenceFor(body: string): string {
  return '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
}

/** CommonMark inline code that survives backticks and leading/trailing spaces in the pattern. */
export function inlineCode(text: string): string {
  const ticks = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') ? ' ' : '';
  return `${ticks}${pad}${text.replace(/\n/g, ' ')}${pad}${ticks}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}
