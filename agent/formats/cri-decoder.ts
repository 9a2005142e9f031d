import { FormatDecoder, type DecodedLine } from './line-decoder.js';

const EMPTY = Buffer.alloc(0);
const SPACE = 0x20;
const COLON = 0x3a;
const DASH = 0x2d;
const DOT = 0x2e;
const PLUS = 0x2b;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const ZERO = 0x30;
const NINE = 0x39;
/** `stdout ` or `stderr `, with its space. */
const STREAM_BYTES = 7;
const TAG_PARTIAL = 0x50; // P
const TAG_FULL = 0x46; // F

/**
 * The CRI logging format the kubelet's runtimes (containerd, CRI-O) write under /var/log/pods:
 * `<RFC 3339 time> <stdout|stderr> <tag> <message>`, the tag `P` (the runtime split a long line;
 * the next line of that stream continues it) or `F`, possibly followed by `:`-separated further tags.
 * Prefix and message are views into the decoded line, never copies.
 */
export class CriDecoder extends FormatDecoder {
  constructor() {
    super('cri', decodeCri);
  }
}

/** True when `line` is a CRI line; fills `out`. Exported for format detection. */
export function decodeCri(line: Buffer, out: DecodedLine): boolean {
  const timeEnd = rfc3339End(line);
  if (timeEnd < 0 || line[timeEnd] !== SPACE) return false;
  const streamStart = timeEnd + 1;
  const tagAt = streamStart + STREAM_BYTES;
  if (tagAt >= line.length) return false;
  const stream = streamAt(line, streamStart);
  if (stream === undefined) return false;
  const tag = line[tagAt];
  if (tag !== TAG_PARTIAL && tag !== TAG_FULL) return false;
  // The first tag is P or F; further tags (`F:x`) are allowed and ignored, as the kubelet does.
  let tagEnd = tagAt + 1;
  if (line[tagEnd] === COLON) {
    const space = line.indexOf(SPACE, tagEnd);
    tagEnd = space < 0 ? line.length : space;
  } else if (tagEnd < line.length && line[tagEnd] !== SPACE) {
    return false;
  }
  out.prefix = line.subarray(0, tagAt);
  out.message = tagEnd + 1 < line.length ? line.subarray(tagEnd + 1) : EMPTY;
  out.partial = tag === TAG_PARTIAL;
  out.stream = stream;
  return true;
}

/** `stdout` or `stderr` followed by a space at `at`, else undefined. */
function streamAt(line: Buffer, at: number): 'stdout' | 'stderr' | undefined {
  if (line[at] !== 0x73 || line[at + 1] !== 0x74 || line[at + 2] !== 0x64 || line[at + 6] !== SPACE) return undefined; // std
  const a = line[at + 3];
  const b = line[at + 4];
  const c = line[at + 5];
  if (a === 0x6f && b === 0x75 && c === 0x74) return 'stdout';
  if (a === 0x65 && b === 0x72 && c === 0x72) return 'stderr';
  return undefined;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

function digitsAt(line: Buffer, at: number, count: number): boolean {
  for (let i = at; i < at + count; i += 1) if (!isDigit(line[i])) return false;
  return true;
}

/**
 * Where an RFC 3339 time at the start of `line` ends (`2026-12-07T22:50:27.123456789Z`, fraction
 * optional, `Z` or `±hh:mm`), or -1. The runtimes write exactly this shape, so a strict check keeps
 * plain lines from being taken for CRI.
 */
function rfc3339End(line: Buffer): number {
  if (!digitsAt(line, 0, 4) || line[4] !== DASH || !digitsAt(line, 5, 2) || line[7] !== DASH || !digitsAt(line, 8, 2)) return -1;
  if (line[10] !== UPPER_T || !digitsAt(line, 11, 2) || line[13] !== COLON || !digitsAt(line, 14, 2) || line[16] !== COLON || !digitsAt(line, 17, 2)) return -1;
  let at = 19;
  if (line[at] === DOT) {
    at += 1;
    const fractionStart = at;
    while (isDigit(line[at])) at += 1;
    if (at === fractionStart) return -1;
  }
  const zone = line[at];
  if (zone === UPPER_Z) return at + 1;
  if ((zone === PLUS || zone === DASH) && digitsAt(line, at + 1, 2) && line[at + 3] === COLON && digitsAt(line, at + 4, 2)) return at + 6;
  return -1;
}
