import type { Capture } from '../http/capture.js';
import type { FilterSpec } from './filter-spec.js';

/**
 * The one Markdown format of saved lines: Copy as Markdown in the live view, a capture's page and
 * the hub's `/api/captures/:id.md`. Pure (no Node or DOM), so browser and hub render the same text.
 *
 * Everything in it may be hostile, so no part can turn into Markdown structure: free text is
 * backslash-escaped, patterns sit in code spans, lines and deploy dividers sit in a fence longer
 * than any run of backticks they contain, and line breaks inside a value are shown as `\n` (`\r`),
 * so one log line stays one line. An event's lines (a line with '\n', docs/protocol.md) each get
 * their own line in the fence, the later ones indented under the first. Links are written only for
 * http(s) URLs without spaces or angle brackets, as autolinks.
 */

export interface MarkdownLine {
  host: string;
  file: string;
  /** When the line was received (ms since the epoch): where deploys are placed among the lines. */
  ts: number;
  /** The time the line states, when it states one. */
  eventTs?: number | undefined;
  line: string;
}

export interface MarkdownDeploy {
  id: string;
  label: string;
  by?: string | undefined;
  url?: string | undefined;
  startedAt: number;
}

export interface LinesMarkdownInput<L extends MarkdownLine = MarkdownLine> {
  /** The heading (plain text, escaped here). */
  title: string;
  /** The filter the lines matched; undefined: not recorded. */
  filter: FilterSpec | undefined;
  /** In the order they were shown. */
  lines: readonly L[];
  /** Deploy markers; those inside the lines' time span are drawn as dividers among them. */
  deploys?: readonly MarkdownDeploy[] | undefined;
  /** Absolute URL of a line (its permalink), or undefined when it has none. */
  lineUrl?: ((line: L, index: number) => string | undefined) | undefined;
  /** Label and absolute URL of the page these lines come from (the capture, the live view). */
  link?: { label: string; url: string } | undefined;
  /** More `- Name: value` items after the standard ones; values are Markdown the caller made safe (escapeText, codeSpan). */
  details?: ReadonlyArray<readonly [string, string]> | undefined;
}

/** Put before a line's time when it is the time the line was received: the line states none (docs/protocol.md). */
const RECEIVED_MARK = '~';

/** Renders saved lines as Markdown (see the module comment). */
export function linesMarkdown<L extends MarkdownLine>(input: LinesMarkdownInput<L>): string {
  const { lines } = input;
  const deploys = deploysWithin(lines, input.deploys ?? []);
  const body = withDividers(lines, deploys);
  const received = lines.filter((line) => line.eventTs === undefined).length;
  const fence = fenceFor(body);
  const links: string[] = [];
  lines.forEach((line, index) => {
    const url = input.lineUrl?.(line, index);
    if (url !== undefined && safeUrl(url)) links.push(`${index + 1}. ${escapeText(lineTime(line))} ${escapeText(line.host)}: <${url}>`);
  });
  return [
    `# ${escapeText(input.title)}`,
    '',
    ...(input.link && safeUrl(input.link.url) ? [`- ${escapeText(input.link.label)}: <${input.link.url}>`] : []),
    `- Filter: ${describeFilter(input.filter)}`,
    `- Lines: ${lines.length}, ${describeRange(lines.map((line) => line.eventTs ?? line.ts))}`,
    ...(received > 0 ? [`- Times marked ${codeSpan(RECEIVED_MARK)} (${received} of ${lines.length} lines): when the line was received; it states no time of its own`] : []),
    ...(deploys.length > 0 ? [`- Deploys: ${deploys.length}, shown as dividers among the lines at their start time`] : []),
    ...(input.details ?? []).map(([name, value]) => `- ${escapeText(name)}: ${value}`),
    '',
    `${fence}text`,
    ...body,
    fence,
    '',
    ...(links.length > 0 ? ['Line permalinks:', '', ...links, ''] : []),
  ].join('\n');
}

/**
 * A capture as Markdown: the lines with who saved them and when, the deploys inside their span,
 * and, given the capture page's absolute URL, that link and one per line (`#L<n>`).
 */
export function captureMarkdown(capture: Capture, pageUrl?: string): string {
  return linesMarkdown({
    title: capture.title,
    filter: capture.filter,
    lines: capture.lines,
    deploys: capture.deploys,
    ...(pageUrl === undefined ? {} : { link: { label: 'Capture', url: pageUrl }, lineUrl: (_line: MarkdownLine, index: number) => captureLineUrl(pageUrl, index) }),
    details: [
      ['Captured by', capture.createdBy === undefined ? 'not recorded (the hub has no tokens)' : escapeText(capture.createdBy)],
      ['Captured at', isoTime(capture.createdAt)],
      ...(capture.range ? [['Searched', `from ${isoTime(capture.range.from)} to ${isoTime(capture.range.to)}`] as const] : []),
      ['Capture id', codeSpan(capture.id)],
    ],
  });
}

/** The permalink of a capture's line: its page with the row's anchor (`#L1` is the first line). */
function captureLineUrl(pageUrl: string, index: number): string {
  return `${pageUrl.replace(/#.*$/, '')}#L${index + 1}`;
}

/**
 * `──── deploy web 1.2.3 by alice at 2026-12-07T14:02:11.000Z ────`: a deploy as one line of text,
 * in every stream's format. `clean` makes the label and author inert for where the text goes.
 */
export function deployDivider(deploy: MarkdownDeploy, clean: (text: string) => string = oneLine): string {
  return `──── deploy ${clean(deploy.label)}${deploy.by ? ` by ${clean(deploy.by)}` : ''} at ${isoTime(deploy.startedAt)} ────`;
}

/**
 * The deploys that started within the lines' received times (first to last), by start time: the
 * ones a reader of these lines would have seen as dividers among them.
 */
export function deploysWithin<D extends MarkdownDeploy>(lines: readonly MarkdownLine[], deploys: readonly D[]): D[] {
  if (lines.length === 0) return [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    first = Math.min(first, line.ts);
    last = Math.max(last, line.ts);
  }
  const seen = new Set<string>();
  return deploys
    .filter((deploy) => deploy.startedAt >= first && deploy.startedAt <= last && !seen.has(deploy.id) && seen.add(deploy.id))
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** Lines as text with each deploy's divider before the first line received at or after its start. */
function withDividers(lines: readonly MarkdownLine[], deploys: readonly MarkdownDeploy[]): string[] {
  const out: string[] = [];
  let next = 0;
  for (const line of lines) {
    while (next < deploys.length && deploys[next]!.startedAt <= line.ts) out.push(deployDivider(deploys[next++]!));
    const prefix = `${lineTime(line)} ${oneLine(line.host)} ${oneLine(line.file)} `;
    const [head, ...more] = line.line.split('\n');
    out.push(`${prefix}| ${oneLine(head!)}`);
    const indent = ' '.repeat(prefix.length);
    for (const text of more) out.push(`${indent}| ${oneLine(text)}`);
  }
  return out;
}

/** The time a line states, or `~` and when it was received when it states none. */
function lineTime(line: { ts: number; eventTs?: number | undefined }): string {
  return line.eventTs === undefined ? RECEIVED_MARK + isoTime(line.ts) : isoTime(line.eventTs);
}

/** ISO-8601 in UTC; a timestamp Date cannot represent (a hostile 1e300) is shown as the number. */
export function isoTime(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? `${ts} (not a valid time)` : date.toISOString();
}

/** An http(s) URL an autolink can hold as it is. */
function safeUrl(url: string): boolean {
  return /^https?:\/\/[^\s<>`\\]+$/i.test(url);
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

/** "query `x`, exclude `y`, case-insensitive, hosts `web-*`, all files[, namespaces `prod`]" */
export function describeFilter(filter: FilterSpec | undefined): string {
  if (!filter) return 'not recorded';
  const parts = [filter.query === '' ? 'query empty (every line)' : `query ${codeSpan(filter.query)}`];
  if (filter.exclude) parts.push(`exclude ${codeSpan(filter.exclude)}`);
  parts.push(filter.caseInsensitive ? 'case-insensitive' : 'case-sensitive');
  parts.push(filter.hosts && filter.hosts.length > 0 ? `hosts ${filter.hosts.map(codeSpan).join(' ')}` : 'all hosts');
  parts.push(filter.files && filter.files.length > 0 ? `files ${filter.files.map(codeSpan).join(' ')}` : 'all files');
  for (const [name, globs] of [['namespaces', filter.namespaces], ['pods', filter.pods], ['containers', filter.containers]] as const) {
    if (globs && globs.length > 0) parts.push(`${name} ${globs.map(codeSpan).join(' ')}`);
  }
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
