import { z } from 'zod';
import { LINES_FRAME_KIND, linesHeaderSchema, type LinesHeader } from './lines-frame.js';

// Node-only (Buffer): imported through protocol/node.ts so the browser bundle never pulls it in.

export interface LinesFrame {
  header: LinesHeader;
  /** The lines, each followed by '\n'. */
  body: Buffer;
}

const PREFIX_BYTES = 5;

/**
 * Largest lines header accepted. A real one is a few hundred bytes: a path of at most 4096
 * characters and a list of cut lines' offsets (at most one per maxLineBytes of body).
 */
const MAX_LINES_HEADER_BYTES = 1024 * 1024;
/** A header is an object whose values are scalars or arrays of numbers: it never nests deeper. */
const MAX_LINES_HEADER_DEPTH = 4;

export function encodeLinesFrame(header: LinesHeader, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + json.length + body.length);
  frame[0] = LINES_FRAME_KIND;
  frame.writeUInt32BE(json.length, 1);
  json.copy(frame, PREFIX_BYTES);
  body.copy(frame, PREFIX_BYTES + json.length);
  return frame;
}

/**
 * Like encodeLinesFrame, but writes into `target` (a buffer the caller reuses, so a busy agent does
 * not allocate a fresh frame per batch) and returns the frame as a view of it; undefined when the
 * frame does not fit, and the caller falls back to encodeLinesFrame.
 */
export function encodeLinesFrameInto(target: Buffer, header: LinesHeader, body: Buffer): Buffer | undefined {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = PREFIX_BYTES + json.length + body.length;
  if (length > target.length) return undefined;
  target[0] = LINES_FRAME_KIND;
  target.writeUInt32BE(json.length, 1);
  json.copy(target, PREFIX_BYTES);
  body.copy(target, PREFIX_BYTES + json.length);
  return target.subarray(0, length);
}

export class FrameError extends Error {}

/** Parses and validates a binary frame; the body is a view into `frame`, not a copy. */
export function decodeLinesFrame(frame: Buffer): LinesFrame {
  if (frame.length < PREFIX_BYTES) throw new FrameError(`binary frame of ${frame.length} bytes is shorter than its prefix`);
  if (frame[0] !== LINES_FRAME_KIND) throw new FrameError(`unknown binary frame kind ${frame[0]}`);
  const headerLength = frame.readUInt32BE(1);
  if (PREFIX_BYTES + headerLength > frame.length) throw new FrameError('binary frame header runs past the end of the frame');
  if (headerLength > MAX_LINES_HEADER_BYTES) throw new FrameError(`lines header of ${headerLength} bytes is over ${MAX_LINES_HEADER_BYTES}`);
  // Checked before JSON.parse, which takes seconds over megabytes of '[' and holds the hub's event loop.
  if (nestsDeeper(frame, PREFIX_BYTES, PREFIX_BYTES + headerLength, MAX_LINES_HEADER_DEPTH)) {
    throw new FrameError(`lines header nests deeper than ${MAX_LINES_HEADER_DEPTH} levels`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(frame.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch (cause) {
    throw new FrameError('lines header is not JSON', { cause });
  }
  const parsed = linesHeaderSchema.safeParse(raw);
  if (!parsed.success) throw new FrameError(`invalid lines header: ${z.prettifyError(parsed.error)}`);
  const header = parsed.data;
  const body = frame.subarray(PREFIX_BYTES + headerLength);
  if (header.endOffset < header.offset) throw new FrameError('lines header endOffset is before offset');
  if (header.lineCount === 0 ? body.length !== 0 : body.length === 0 || body[body.length - 1] !== 0x0a) {
    throw new FrameError('lines body must be empty for zero lines, otherwise end with a newline');
  }
  return { header, body };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether the JSON text in bytes[start, end) nests arrays and objects more than `limit` deep (strings skipped). */
function nestsDeeper(bytes: Buffer, start: number, end: number, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let at = start; at < end; at += 1) {
    const byte = bytes[at];
    if (inString) {
      if (byte === BACKSLASH) at += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}
