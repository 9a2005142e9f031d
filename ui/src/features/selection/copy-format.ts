import { linesMarkdown, type Deploy, type FilterSpec, type LogLine } from '../../../../protocol/index.js';
import { stripAnsi } from '../../lib/text/ansi.js';
import { formatIso, lineTime, RECEIVED_MARK } from '../../lib/text/time-format.js';

/**
 * Selected lines as text for a post-mortem: plain (one line per log line) or Markdown. Colour
 * escapes are removed: they are noise in a ticket. Lines keep the order they had in the stream.
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

export interface MarkdownContext {
  /** Deploy markers known to the view; those inside the lines' time span become dividers. */
  deploys: readonly Deploy[];
  /** The live view's absolute URL, without a `#line=` part. */
  viewUrl: string;
}

/**
 * Selected lines in the shared Markdown format (protocol/shared/lines-markdown.ts, also used for
 * captures): the filter, the time range, the deploys inside it as dividers, the lines, and each
 * line's permalink (`#line=<id>` on the live view). Colour escapes are removed.
 */
export function formatMarkdown(lines: readonly LogLine[], filter: FilterSpec, context: MarkdownContext): string {
  const base = context.viewUrl.replace(/#.*$/, '');
  return linesMarkdown({
    title: 'Lines from supergrep',
    filter,
    lines: lines.map((line) => ({ ...line, line: stripAnsi(line.line) })),
    deploys: context.deploys,
    link: { label: 'Live view', url: base },
    lineUrl: (line) => `${base}#line=${encodeURIComponent(line.id)}`,
  });
}
