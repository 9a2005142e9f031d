import { NUL_STAND_IN } from '../../protocol/index.js';
import { FormatDecoder, type DecodedLine } from './line-decoder.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const STREAM_BYTES = 6;
const NUL_STAND_IN_BYTES = Buffer.from(NUL_STAND_IN);
const REPLACEMENT = 0xfffd;
/** Runs of unescaped bytes up to this long are copied byte by byte, quicker than Buffer#copy. */
const SHORT_RUN = 64;
/** The single-character escapes of JSON, by the byte after the backslash. */
const SHORT_ESCAPES: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09 };

/** The three fields the fast scan reads, by their key. */
const FIELD_LOG = 1;
const FIELD_STREAM = 2;
const FIELD_TIME = 4;
/** What the log's JSON string holds: no escape, only its final `\n`, or other escapes. */
const NO_ESCAPE = 0;
const FINAL_NEWLINE_ONLY = 1;
const ESCAPES = 2;

/**
 * Docker's json-file logging driver: one JSON object per line, `{"log":"...","stream":"stdout",
 * "time":"..."}` (any order, extra fields such as `attrs` allowed). `log` is the raw output: ending
 * in '\n' it is a complete line (that '\n', and a '\r' before it, dropped), without it the daemon
 * split the line (16 KiB) and the next line of that stream continues it.
 *
 * Docker's own lines are read by a hand-written scan (no JSON.parse, and no copy when the message
 * has no escape besides its final '\n'); anything the scan does not expect (whitespace, other
 * fields, odd escapes in the stream or time) goes through JSON.parse, so the result is exact, but
 * for raw control characters inside a string, which JSON forbids and Docker never writes: the scan
 * keeps them. Returned buffers are fresh or views of the line, never overwritten by a later decode.
 */
export class DockerJsonDecoder extends FormatDecoder {
  constructor() {
    super('docker', decodeDocker);
  }
}

/** True when `line` is a json-file record; fills `out`. Exported for format detection. */
export function decodeDocker(line: Buffer, out: DecodedLine): boolean {
  return scanDockerLine(line, out) || decodeDockerByParse(line, out);
}

/**
 * The fast path: exactly `{"k":"v",...}` with the keys log, stream and time once each, no
 * whitespace. False (out untouched) for anything else.
 */
function scanDockerLine(line: Buffer, out: DecodedLine): boolean {
  if (line[0] !== OPEN_BRACE || line[line.length - 1] !== CLOSE_BRACE) return false;
  let seen = 0;
  let logStart = 0;
  let logEnd = 0;
  let logEscapes = NO_ESCAPE;
  let stream: 'stdout' | 'stderr' | undefined;
  let timeStart = 0;
  let timeEnd = 0;
  let at = 1;
  for (;;) {
    if (line[at] !== QUOTE) return false;
    const field = fieldAt(line, at + 1);
    if (field === 0 || (seen & field) !== 0) return false;
    seen |= field;
    const valueQuote = at + keyBytes(field) + 3; // at "key": the value's opening quote
    if (line[valueQuote - 2] !== QUOTE || line[valueQuote - 1] !== COLON || line[valueQuote] !== QUOTE) return false;
    const start = valueQuote + 1;
    let end: number;
    if (field === FIELD_LOG) {
      // Two native searches find where the log ends in Docker's lines; only other escapes need stringEnd.
      const quote = line.indexOf(QUOTE, start);
      const escape = line.indexOf(BACKSLASH, start);
      if (quote < 0) return false;
      if (escape < 0 || escape > quote) {
        end = quote;
        logEscapes = NO_ESCAPE;
      } else if (escape === quote - 2 && line[escape + 1] === 0x6e) {
        end = quote;
        logEscapes = FINAL_NEWLINE_ONLY;
      } else {
        end = stringEnd(line, start);
        if (end < 0) return false;
        logEscapes = ESCAPES;
      }
      logStart = start;
      logEnd = end;
    } else if (field === FIELD_STREAM) {
      end = start + STREAM_BYTES;
      stream = streamName(line, start);
      if (stream === undefined || line[end] !== QUOTE) return false;
    } else {
      // The time: up to its quote, no escape, space or control character.
      end = start;
      for (let byte = line[end]; byte !== QUOTE; byte = line[++end]) {
        if (byte === undefined || byte === BACKSLASH || byte <= SPACE) return false;
      }
      if (end === start) return false;
      timeStart = start;
      timeEnd = end;
    }
    at = end + 1;
    if (line[at] === CLOSE_BRACE) break;
    if (line[at] !== COMMA) return false;
    at += 1;
  }
  if (seen !== (FIELD_LOG | FIELD_STREAM | FIELD_TIME) || at !== line.length - 1 || stream === undefined) return false;
  const time = line.subarray(timeStart, timeEnd);
  if (logEscapes === NO_ESCAPE) {
    fill(out, time, stream, line.subarray(logStart, logEnd), false);
  } else if (logEscapes === FINAL_NEWLINE_ONLY) {
    // Docker's usual line: its only escape is the final '\n', so the message is a view of the line.
    fill(out, time, stream, line.subarray(logStart, logEnd - 2), true);
  } else {
    const message = unescapeJson(line, logStart, logEnd);
    if (message === undefined) return false;
    const complete = message.length > 0 && message[message.length - 1] === LF;
    fill(out, time, stream, complete ? withoutLineEnd(message) : message, complete);
  }
  return true;
}

/**
 * The slow path, for json-file records the scan does not take: JSON.parse, then the same checks.
 * Exported for the benchmark that compares it with the scan.
 */
export function decodeDockerByParse(line: Buffer, out: DecodedLine): boolean {
  if (line[0] !== OPEN_BRACE) return false;
  let record: unknown;
  try {
    record = JSON.parse(line.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof record !== 'object' || record === null) return false;
  const { log, stream, time } = record as Record<string, unknown>;
  if (typeof log !== 'string' || typeof time !== 'string' || time === '' || /[\s\u0000]/.test(time)) return false;
  if (stream !== 'stdout' && stream !== 'stderr') return false;
  // Lone surrogates become U+FFFD in the UTF-8 conversion; a NUL would be an event break.
  const message = Buffer.from(log.includes('\u0000') ? log.replaceAll('\u0000', NUL_STAND_IN) : log, 'utf8');
  const complete = log.endsWith('\n');
  fill(out, Buffer.from(time, 'utf8'), stream, complete ? withoutLineEnd(message) : message, complete);
  return true;
}

/** `message` without its final '\n' and a '\r' before it. */
function withoutLineEnd(message: Buffer): Buffer {
  const end = message.length > 1 && message[message.length - 2] === CR ? message.length - 2 : message.length - 1;
  return message.subarray(0, end);
}

/** Sets `out` for a decoded record; the prefix is `<time> <stream> `. */
function fill(out: DecodedLine, time: Buffer, stream: string, message: Buffer, complete: boolean): void {
  // Byte by byte: for some 40 bytes this is quicker than Buffer#copy and #write.
  const timeBytes = time.length;
  const prefix = Buffer.allocUnsafe(timeBytes + STREAM_BYTES + 2);
  for (let i = 0; i < timeBytes; i += 1) prefix[i] = time[i]!;
  prefix[timeBytes] = SPACE;
  for (let i = 0; i < STREAM_BYTES; i += 1) prefix[timeBytes + 1 + i] = stream.charCodeAt(i);
  prefix[timeBytes + STREAM_BYTES + 1] = SPACE;
  out.prefix = prefix;
  out.message = message;
  out.partial = !complete;
  out.stream = stream;
}

/** Which of the three fields the key at `at` (after its opening quote) is, or 0. */
function fieldAt(line: Buffer, at: number): number {
  // "log" "stream" "time": compare the bytes and the closing quote.
  if (line[at] === 0x6c && line[at + 1] === 0x6f && line[at + 2] === 0x67 && line[at + 3] === QUOTE) return FIELD_LOG;
  if (line[at] === 0x74 && line[at + 1] === 0x69 && line[at + 2] === 0x6d && line[at + 3] === 0x65 && line[at + 4] === QUOTE) return FIELD_TIME;
  if (line[at] === 0x73 && line[at + 1] === 0x74 && line[at + 2] === 0x72 && line[at + 3] === 0x65 && line[at + 4] === 0x61 && line[at + 5] === 0x6d && line[at + 6] === QUOTE) {
    return FIELD_STREAM;
  }
  return 0;
}

function keyBytes(field: number): number {
  return field === FIELD_LOG ? 3 : field === FIELD_TIME ? 4 : 6;
}

function streamName(line: Buffer, start: number): 'stdout' | 'stderr' | undefined {
  if (line[start] !== 0x73 || line[start + 1] !== 0x74 || line[start + 2] !== 0x64) return undefined; // std
  const a = line[start + 3];
  const b = line[start + 4];
  const c = line[start + 5];
  if (a === 0x6f && b === 0x75 && c === 0x74) return 'stdout';
  if (a === 0x65 && b === 0x72 && c === 0x72) return 'stderr';
  return undefined;
}

/** The index of the quote closing the JSON string that starts at `start`, or -1. */
function stringEnd(line: Buffer, start: number): number {
  let from = start;
  for (;;) {
    const quote = line.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (quote - backslashes - 1 >= start && line[quote - backslashes - 1] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function hex4(line: Buffer, at: number): number {
  let value = 0;
  for (let i = at; i < at + 4; i += 1) {
    const digit = hexValue(line[i]);
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

/**
 * The bytes of the JSON string line[start, end) (between its quotes), unescaped: a fresh buffer.
 * \uXXXX pairs make one code point; a lone surrogate becomes U+FFFD (as JSON.parse then UTF-8
 * encoding would give) and \u0000 becomes U+2400, since NUL marks event breaks. Undefined for a
 * malformed escape, which JSON.parse refuses too.
 */
function unescapeJson(line: Buffer, start: number, end: number): Buffer | undefined {
  // Unescaping never lengthens: \uXXXX (6 bytes) is at most 3 UTF-8 bytes, a pair (12) 4 bytes.
  const out = Buffer.allocUnsafe(end - start);
  let length = 0;
  let from = start;
  while (from < end) {
    const escape = line.indexOf(BACKSLASH, from);
    const runEnd = escape < 0 || escape >= end ? end : escape;
    if (runEnd - from > SHORT_RUN) length += line.copy(out, length, from, runEnd);
    else for (let i = from; i < runEnd; i += 1) out[length++] = line[i]!;
    if (runEnd === end) break;
    const kind = line[escape + 1]!;
    const short = SHORT_ESCAPES[kind];
    if (short !== undefined) {
      out[length++] = short;
      from = escape + 2;
      continue;
    }
    let code = kind === 0x75 && escape + 6 <= end ? hex4(line, escape + 2) : -1;
    if (code < 0) return undefined;
    from = escape + 6;
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = line[from] === BACKSLASH && line[from + 1] === 0x75 && from + 6 <= end ? hex4(line, from + 2) : -1;
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        from += 6;
      } else {
        code = REPLACEMENT;
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      code = REPLACEMENT;
    }
    length = code === 0 ? length + NUL_STAND_IN_BYTES.copy(out, length) : writeUtf8(out, length, code);
  }
  return out.subarray(0, length);
}

function writeUtf8(out: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    out[at] = code;
    return at + 1;
  }
  if (code < 0x800) {
    out[at] = 0xc0 | (code >> 6);
    out[at + 1] = 0x80 | (code & 0x3f);
    return at + 2;
  }
  if (code < 0x10000) {
    out[at] = 0xe0 | (code >> 12);
    out[at + 1] = 0x80 | ((code >> 6) & 0x3f);
    out[at + 2] = 0x80 | (code & 0x3f);
    return at + 3;
  }
  out[at] = 0xf0 | (code >> 18);
  out[at + 1] = 0x80 | ((code >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((code >> 6) & 0x3f);
  out[at + 3] = 0x80 | (code & 0x3f);
  return at + 4;
}
