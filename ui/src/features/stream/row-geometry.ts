/**
 * How many characters of a line a collapsed row shows, worked out from the pane's width instead of
 * measured per row: rows are monospace, so a width in pixels converts to characters, and measuring
 * every new row would force a layout per line under a firehose.
 */

/**
 * Width of one character of `.log-row` (12px monospace fonts are 0.6em wide). Rounded up a little so
 * that a row never believes it shows more than it does.
 */
const CHAR_PX = 7.4;
/** Row padding and level border (stream.css `.log-row`). */
const ROW_CHROME_PX = 14;
/** The clock column, `~HH:MM:SS.mmm` (the mark of a received time, or its room). */
const TIME_CHARS = 13;
/** `.log-row__host` and `.log-row__file` are at most this wide (max-width in stream.css). */
const HOST_MAX_CHARS = 14;
const FILE_MAX_CHARS = 18;
/** `.log-row__file--pod` (a container log's `namespace/pod/container`) is at most this wide. */
const POD_MAX_CHARS = 32;
/** The three 0.7em gaps between the columns, in characters (0.7em / 0.6em each, rounded up). */
const GAPS_CHARS = 4;
/** Room kept for the row's expand / pretty-print buttons, which may follow the text. */
const ACTIONS_CHARS = 7;

/** Characters a whole collapsed row holds in a pane `widthPx` wide (0 when the width is unknown). */
export function rowCharsForWidth(widthPx: number): number {
  return Math.max(0, Math.floor((widthPx - ROW_CHROME_PX) / CHAR_PX));
}

/**
 * Characters left for the line's text in a row of `rowChars`, after this row's own columns;
 * `pod`: the file column shows pod labels (it is wider).
 */
export function textColumnChars(rowChars: number, host: string, fileLabel: string, pod = false): number {
  const fileChars = Math.min(fileLabel.length, pod ? POD_MAX_CHARS : FILE_MAX_CHARS);
  const columns = TIME_CHARS + Math.min(host.length, HOST_MAX_CHARS) + fileChars + GAPS_CHARS + ACTIONS_CHARS;
  return Math.max(0, rowChars - columns);
}
