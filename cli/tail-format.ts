import type { MatchedLine } from '../protocol/index.js';

const RED_BOLD = '\u001b[1;31m';
const CYAN = '\u001b[36m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** Control characters except tab, shown escaped so a hostile log line cannot drive the terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `host file: line`, like `grep -H` across every host; with colour, the matched ranges stand out. */
export function formatPlain(line: MatchedLine, color: boolean): string {
  if (!color) return `${line.host} ${line.file}: ${escapeControls(line.line)}`;
  let body = '';
  let cursor = 0;
  for (const [start, end] of line.ranges) {
    if (start < cursor) continue;
    body += escapeControls(line.line.slice(cursor, start));
    body += RED_BOLD + escapeControls(line.line.slice(start, end)) + RESET;
    cursor = end;
  }
  body += escapeControls(line.line.slice(cursor));
  return `${CYAN}${line.host}${RESET} ${DIM}${line.file}:${RESET} ${body}`;
}

/** One JSON object per line, for jq and friends. */
export function formatJson(line: MatchedLine): string {
  return JSON.stringify({
    id: line.id,
    host: line.host,
    file: line.file,
    ts: line.ts,
    time: new Date(line.ts).toISOString(),
    line: line.line,
    ranges: line.ranges,
    ...(line.truncated ? { truncated: true } : {}),
  });
}
