import { deployDivider, type Deploy, type MatchedLine } from '../protocol/index.js';

const RED_BOLD = '\u001b[1;31m';
const CYAN = '\u001b[36m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/**
 * What a terminal could act on: C0 controls, DEL, C1 controls (8-bit CSI/OSC), the line and
 * paragraph separators, and the bidirectional overrides and isolates that reorder what is shown.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same without tab, which a log line may keep. */
const UNSAFE_IN_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text from the hub (a host or file name, an error message) made inert for a terminal: every unsafe character as `\xNN` or `\uNNNN`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

function escapeLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, escapeChar);
}

/** Put before a time that is when the line was received, because the line states none (docs/protocol.md, "Event time"). */
const RECEIVED_MARK = '~';

/** The time a line states as ISO-8601 UTC, or `~` and when it was received when it states none. */
function lineTimeText(line: MatchedLine): string {
  return line.eventTs === undefined ? RECEIVED_MARK + (isoTime(line.ts) ?? 'invalid-time') : (isoTime(line.eventTs) ?? 'invalid-time');
}

/** What starts each further line of an event (a line with '\n'), below its head. */
const CONTINUATION_INDENT = '    ';

/**
 * `host file: line`, like `grep -H` across every host; with colour, the matched ranges stand out.
 * With `time`, each line starts with its time (lineTimeText). An event's further lines follow on
 * lines of their own, indented under its head; a range is highlighted on every line it covers.
 */
export function formatPlain(line: MatchedLine, color: boolean, time = false): string {
  const host = escapeControls(line.host);
  const file = escapeControls(line.file);
  const stamp = time ? `${color ? DIM : ''}${lineTimeText(line)}${color ? RESET : ''} ` : '';
  const prefix = color ? `${stamp}${CYAN}${host}${RESET} ${DIM}${file}:${RESET} ` : `${stamp}${host} ${file}: `;
  const text = line.line;
  // Ranges in order, each past the previous one's end (an overlapping one is left out).
  const spans: Array<readonly [number, number]> = [];
  if (color) {
    let cursor = 0;
    for (const [start, end] of line.ranges) {
      if (start < cursor) continue;
      spans.push([start, end]);
      cursor = end;
    }
  }
  let out = prefix;
  let from = 0;
  for (;;) {
    const next = text.indexOf('\n', from);
    const to = next < 0 ? text.length : next;
    out += painted(text, from, to, spans);
    if (next < 0) return out;
    out += `\n${CONTINUATION_INDENT}`;
    from = next + 1;
  }
}

/** text[from, to) made inert, with the parts of `spans` inside it highlighted. */
function painted(text: string, from: number, to: number, spans: ReadonlyArray<readonly [number, number]>): string {
  let out = '';
  let cursor = from;
  for (const [start, end] of spans) {
    if (end <= from || start >= to) continue;
    const paintFrom = Math.max(start, from);
    const paintTo = Math.min(end, to);
    out += escapeLine(text.slice(cursor, paintFrom)) + RED_BOLD + escapeLine(text.slice(paintFrom, paintTo)) + RESET;
    cursor = paintTo;
  }
  return out + escapeLine(text.slice(cursor, to));
}

/** ISO-8601 UTC, or null for a timestamp no date can represent (the hub passed on a hostile value). */
function isoTime(ts: number): string | null {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * One JSON object per line, for jq and friends; `time` is null when `ts` is not a valid time.
 * `eventTs` and `eventTime` (the time the line states) are there only when the line states one.
 * JSON.stringify escapes C0 controls; the other unsafe characters are escaped too (`\u009b`), which
 * leaves the same JSON value.
 */
export function formatJson(line: MatchedLine): string {
  const text = JSON.stringify({
    id: line.id,
    host: line.host,
    file: line.file,
    ts: line.ts,
    time: isoTime(line.ts),
    ...(line.eventTs === undefined ? {} : { eventTs: line.eventTs, eventTime: isoTime(line.eventTs) }),
    line: line.line,
    ranges: line.ranges,
    ...(line.truncated ? { truncated: true } : {}),
  });
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const YELLOW = '\u001b[33m';

/** A deploy marker as a divider line (the format of every stream), label and author escaped like lines. */
export function formatDeployPlain(deploy: Deploy, color: boolean): string {
  const text = deployDivider(deploy, escapeControls);
  return color ? `${YELLOW}${text}${RESET}` : text;
}

/** A deploy marker as one JSON object, told from lines by `"type":"deploy"`; `time` is its start as ISO-8601. */
export function formatDeployJson(deploy: Deploy): string {
  const text = JSON.stringify({
    type: 'deploy',
    id: deploy.id,
    label: deploy.label,
    ...(deploy.by === undefined ? {} : { by: deploy.by }),
    ...(deploy.url === undefined ? {} : { url: deploy.url }),
    startedAt: deploy.startedAt,
    time: isoTime(deploy.startedAt),
    ...(deploy.finishedAt === undefined ? {} : { finishedAt: deploy.finishedAt }),
  });
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
