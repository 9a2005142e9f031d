/**
 * ANSI escape sequences in log lines: SGR colours are turned into styles, everything else (cursor
 * moves, erase-line, OSC titles and hyperlinks) is removed. Written here rather than taken from a
 * library because highlighting needs what no ANSI library exposes: where each visible character sits
 * in the raw line, since the hub's match ranges are offsets into the raw line, escapes included.
 * Output is data (spans and styles), never HTML, so hostile input cannot inject markup.
 */

export type AnsiColor = { kind: 'palette'; index: number } | { kind: 'rgb'; r: number; g: number; b: number };

export interface AnsiStyle {
  fg?: AnsiColor;
  bg?: AnsiColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

/** A run of visible text: raw[start, end) holds no escape sequence and has one style. */
export interface AnsiSpan {
  start: number;
  end: number;
  style: AnsiStyle | undefined;
}

/*
 * ESC followed by: a CSI sequence (group 1 = parameters, group 2 = final byte), a terminated OSC
 * sequence, or a two/three-byte escape (charset selection, keypad modes...). An unterminated OSC is
 * deliberately not matched: swallowing the rest of the line would let a line hide its own content.
 */
const ESCAPE = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-~])?/g;

export function parseAnsi(raw: string): AnsiSpan[] {
  const spans: AnsiSpan[] = [];
  if (!raw.includes('\x1b')) {
    if (raw.length > 0) spans.push({ start: 0, end: raw.length, style: undefined });
    return spans;
  }
  let style: AnsiStyle | undefined;
  let cursor = 0;
  ESCAPE.lastIndex = 0;
  for (let match = ESCAPE.exec(raw); match !== null; match = ESCAPE.exec(raw)) {
    if (match.index > cursor) spans.push({ start: cursor, end: match.index, style });
    cursor = match.index + match[0].length;
    if (match[2] === 'm') style = applySgr(style, match[1] ?? '');
  }
  if (cursor < raw.length) spans.push({ start: cursor, end: raw.length, style });
  return spans;
}

/** The line as a terminal would show it, without escape sequences (for copying and level detection). */
export function stripAnsi(raw: string): string {
  if (!raw.includes('\x1b')) return raw;
  return parseAnsi(raw)
    .map((span) => raw.slice(span.start, span.end))
    .join('');
}

/** Applies one SGR parameter string ("1;31", "38;5;208", "38:2::255:0:0") to a style, returning a new style. */
export function applySgr(current: AnsiStyle | undefined, params: string): AnsiStyle | undefined {
  // Private-mode parameters (e.g. xterm's CSI > 4 ; 2 m) are not colours.
  if (/^[<=>?]/.test(params)) return current;
  const style: AnsiStyle = { ...current };
  const tokens = params === '' ? ['0'] : params.split(';');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.includes(':')) {
      // ITU T.416 colon form carries its own arguments: 38:5:n or 38:2:[colourspace]:r:g:b.
      const parts = token.split(':');
      const color = extendedColor(parts.slice(1), true);
      applyExtended(style, Number(parts[0]), color);
      continue;
    }
    const code = token === '' ? 0 : Number(token);
    if (code === 38 || code === 48 || code === 58) {
      const mode = tokens[i + 1];
      const take = mode === '5' ? 2 : mode === '2' ? 4 : 1;
      applyExtended(style, code, extendedColor(tokens.slice(i + 1, i + 1 + take), false));
      i += take;
      continue;
    }
    applyCode(style, code);
  }
  return isPlain(style) ? undefined : style;
}

function applyCode(style: AnsiStyle, code: number): void {
  if (code === 0) {
    for (const key of Object.keys(style) as (keyof AnsiStyle)[]) delete style[key];
  } else if (code === 1) style.bold = true;
  else if (code === 2) style.dim = true;
  else if (code === 3) style.italic = true;
  else if (code === 4) style.underline = true;
  else if (code === 7) style.inverse = true;
  else if (code === 9) style.strike = true;
  else if (code === 22) {
    delete style.bold;
    delete style.dim;
  } else if (code === 23) delete style.italic;
  else if (code === 24) delete style.underline;
  else if (code === 27) delete style.inverse;
  else if (code === 29) delete style.strike;
  else if (code >= 30 && code <= 37) style.fg = { kind: 'palette', index: code - 30 };
  else if (code === 39) delete style.fg;
  else if (code >= 40 && code <= 47) style.bg = { kind: 'palette', index: code - 40 };
  else if (code === 49) delete style.bg;
  else if (code >= 90 && code <= 97) style.fg = { kind: 'palette', index: code - 90 + 8 };
  else if (code >= 100 && code <= 107) style.bg = { kind: 'palette', index: code - 100 + 8 };
  // Anything else (blink, fonts, overline...) has no place in a log viewer and is ignored.
}

function applyExtended(style: AnsiStyle, code: number, color: AnsiColor | undefined): void {
  if (!color) return;
  if (code === 38) style.fg = color;
  else if (code === 48) style.bg = color;
  // 58 (underline colour) is parsed only so its arguments are not mistaken for other codes.
}

function extendedColor(args: string[], colonForm: boolean): AnsiColor | undefined {
  const mode = args[0];
  if (mode === '5') {
    const index = byte(args[1]);
    return index === undefined ? undefined : { kind: 'palette', index };
  }
  if (mode === '2') {
    // The colon form may carry a colour-space id before r:g:b; the last three are the channels.
    const channels = colonForm ? args.slice(-3) : args.slice(1, 4);
    if (channels.length !== 3 || (colonForm && args.length < 4)) return undefined;
    const [r, g, b] = channels.map(byte);
    if (r === undefined || g === undefined || b === undefined) return undefined;
    return { kind: 'rgb', r, g, b };
  }
  return undefined;
}

function byte(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,3}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 255 ? value : undefined;
}

function isPlain(style: AnsiStyle): boolean {
  return Object.keys(style).length === 0;
}

/** CSS colour for a palette index of 16..255 (the 6x6x6 cube and the grey ramp); 0..15 are themed in CSS. */
export function xterm256(index: number): string {
  if (index >= 232) {
    const level = 8 + (index - 232) * 10;
    return `rgb(${level}, ${level}, ${level})`;
  }
  const cube = index - 16;
  const level = (n: number) => (n === 0 ? 0 : 55 + n * 40);
  return `rgb(${level(Math.floor(cube / 36))}, ${level(Math.floor(cube / 6) % 6)}, ${level(cube % 6)})`;
}
