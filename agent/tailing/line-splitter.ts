import { isUtf8 } from 'node:buffer';
import { EVENT_BREAK_BYTE, NUL_STAND_IN } from '../../protocol/index.js';
import { cutLine, toValidUtf8 } from './utf8-repair.js';

const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');
const NUL_STAND_IN_BYTES = Buffer.from(NUL_STAND_IN);

export interface SplitLimits {
  /** Longer lines keep their first maxLineBytes (cut on a character boundary); the rest is dropped. */
  maxLineBytes: number;
}

/** Filled by `split` when asked: per line of the body, where it ended in the chunk and the bytes dropped up to it. */
export class LineEnds {
  /** Chunk offset after each line's '\n'. */
  readonly ends: number[] = [];
  /** droppedBytes of the body up to and including each line. */
  readonly dropped: number[] = [];

  clear(): void {
    this.ends.length = 0;
    this.dropped.length = 0;
  }
}

export interface SplitResult {
  /**
   * Complete lines, each ended by '\n', valid UTF-8, no '\r' before the '\n', no NUL byte (a NUL of
   * the file is written as U+2400: on the wire 0x00 breaks the lines of an event). May be a view
   * into the chunk.
   */
  body: Buffer;
  lineCount: number;
  /** Bytes of the chunk used up: the next chunk must start this far into this one. */
  consumedBytes: number;
  /** Bytes of the chunk up to the end of the last line in `body` (its terminator included). */
  endBytes: number;
  /** Body offsets of lines that were cut at maxLineBytes. */
  truncated: number[];
  droppedBytes: number;
  /** Complete lines remain in the chunk that did not fit in maxBodyBytes. */
  bodyFull: boolean;
}

/**
 * Turns file bytes into complete lines. The caller feeds chunks that each start where the previous
 * one's `consumedBytes` ended, so a partial last line (and a '\r' waiting for its '\n') is simply
 * read again with more data behind it: the splitter never holds one.
 *
 * The one thing it holds is the kept head of an over-long line, bounded by maxLineBytes: once a line
 * is known to be too long, the rest of it is skipped chunk by chunk (a line of many MiB never sits in
 * memory) and the head is emitted when the line's '\n' finally arrives, so every result ends on a true
 * line boundary of the file.
 *
 * Hot path: a run of lines that need no fixing is emitted as one slice of the chunk, not copied line
 * by line; the chunk is checked for valid UTF-8 once, and lines are only checked one by one if that fails.
 */
export class LineSplitter {
  private head: Buffer | undefined;
  /** Content bytes of the held over-long line skipped so far (its head not counted). */
  private headSkippedBytes = 0;
  /** The last skipped byte was '\r': if the next chunk starts with '\n' it was the terminator, not content. */
  private headSkippedCr = false;

  constructor(private limits: SplitLimits) {}

  /** Forgets any held line: the caller is about to re-read from a line boundary. */
  reset(limits: SplitLimits = this.limits): void {
    this.limits = limits;
    this.head = undefined;
    this.headSkippedBytes = 0;
    this.headSkippedCr = false;
  }

  /** An over-long line's head is held waiting for its newline. */
  get holding(): boolean {
    return this.head !== undefined;
  }

  /**
   * Splits `chunk`. Lines stop being added once the body would grow past `maxBodyBytes` (at least one
   * line is always taken). With `final` the end of the chunk also ends the last line (the file is
   * being closed for good), so a partial line is emitted as if it had its newline. `lineEnds`, when
   * given, is filled line by line (the caller may then hand out only the body's first lines).
   */
  split(chunk: Buffer, maxBodyBytes = Number.POSITIVE_INFINITY, final = false, lineEnds?: LineEnds): SplitResult {
    lineEnds?.clear();
    const out = new BodyBuilder(chunk, maxBodyBytes, lineEnds);
    let pos = 0;
    if (this.head !== undefined) {
      pos = this.finishHeldLine(chunk, final, out);
      if (pos < 0) return out.result(chunk.length);
    }
    const { maxLineBytes } = this.limits;
    // One check for all the chunk's complete lines (a read can end inside a character, so the partial
    // tail is left out); lines are only checked one by one if it fails.
    const chunkIsUtf8 = isUtf8(chunk.subarray(pos, chunk.lastIndexOf(LF) + 1));
    // Usually -1 at once: then no line needs looking at for NUL bytes.
    let nul = chunk.indexOf(EVENT_BREAK_BYTE, pos);
    while (pos < chunk.length) {
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) break;
      const contentEnd = lf > pos && chunk[lf - 1] === CR ? lf - 1 : lf;
      const clean = contentEnd === lf && lf - pos <= maxLineBytes && (nul === -1 || nul > lf) && (chunkIsUtf8 || isUtf8(chunk.subarray(pos, lf)));
      const added = clean ? out.addSlice(pos, lf + 1) : out.addFixed(this.fixLine(chunk, pos, contentEnd), lf + 1);
      if (!added) return out.result(pos, true);
      pos = lf + 1;
      if (nul !== -1 && nul < pos) nul = chunk.indexOf(EVENT_BREAK_BYTE, pos);
    }
    const partialBytes = chunk.length - pos;
    if (partialBytes === 0) return out.result(pos);
    if (final) {
      const contentEnd = chunk[chunk.length - 1] === CR ? chunk.length - 1 : chunk.length;
      if (!out.addFixed(this.fixLine(chunk, pos, contentEnd), chunk.length)) return out.result(pos, true);
      return out.result(chunk.length);
    }
    // Even with a '\r' before its coming '\n' this line is too long: keep its head, skip the rest.
    if (partialBytes > maxLineBytes + 1) {
      const { kept, droppedBytes } = cutLine(chunk, pos, chunk.length, maxLineBytes);
      const head = withNulStandIns({ bytes: kept, droppedBytes, truncated: true }, maxLineBytes);
      // A copy: the chunk is the caller's reused read buffer.
      this.head = head.bytes === kept ? Buffer.from(kept) : head.bytes;
      this.headSkippedBytes = head.droppedBytes;
      this.headSkippedCr = chunk[chunk.length - 1] === CR;
      return out.result(chunk.length);
    }
    return out.result(pos);
  }

  /**
   * Skips the rest of the held over-long line in `chunk`. Returns where the next line starts, or -1
   * when the whole chunk belongs to the held line.
   */
  private finishHeldLine(chunk: Buffer, final: boolean, out: BodyBuilder): number {
    const lf = chunk.indexOf(LF);
    if (lf === -1 && !final) {
      this.headSkippedBytes += chunk.length;
      if (chunk.length > 0) this.headSkippedCr = chunk[chunk.length - 1] === CR;
      return -1;
    }
    const end = lf === -1 ? chunk.length : lf;
    const crBefore = end > 0 ? chunk[end - 1] === CR : this.headSkippedCr;
    const dropped = this.headSkippedBytes + end - (crBefore ? 1 : 0);
    const head = this.head as Buffer;
    this.reset();
    out.addTruncated(head, dropped, lf === -1 ? chunk.length : lf + 1);
    return lf === -1 ? chunk.length : lf + 1;
  }

  /** A line that needs work: strip the '\r', cut it, repair its UTF-8, write its NUL bytes as U+2400. */
  private fixLine(chunk: Buffer, start: number, contentEnd: number): FixedLine {
    const { maxLineBytes } = this.limits;
    if (contentEnd - start <= maxLineBytes) {
      return withNulStandIns({ bytes: toValidUtf8(chunk.subarray(start, contentEnd)), droppedBytes: 0, truncated: false }, maxLineBytes);
    }
    const { kept, droppedBytes } = cutLine(chunk, start, contentEnd, maxLineBytes);
    return withNulStandIns({ bytes: kept, droppedBytes, truncated: true }, maxLineBytes);
  }
}

/** The line with each NUL byte written as U+2400 (three bytes), cut again if that made it too long. */
function withNulStandIns(line: FixedLine, maxLineBytes: number): FixedLine {
  const first = line.bytes.indexOf(EVENT_BREAK_BYTE);
  if (first === -1) return line;
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = first; at !== -1; at = line.bytes.indexOf(EVENT_BREAK_BYTE, from)) {
    pieces.push(line.bytes.subarray(from, at), NUL_STAND_IN_BYTES);
    from = at + 1;
  }
  pieces.push(line.bytes.subarray(from));
  const bytes = Buffer.concat(pieces);
  if (bytes.length <= maxLineBytes) return { ...line, bytes };
  const { kept, droppedBytes } = cutLine(bytes, 0, bytes.length, maxLineBytes);
  return { bytes: kept, droppedBytes: line.droppedBytes + droppedBytes, truncated: true };
}

interface FixedLine {
  bytes: Buffer;
  droppedBytes: number;
  truncated: boolean;
}

/**
 * Collects a body as runs of untouched chunk bytes plus fixed lines, so the common case (one run)
 * needs no copy at all.
 */
class BodyBuilder {
  private readonly parts: Buffer[] = [];
  private runStart = -1;
  private runEnd = -1;
  private length = 0;
  private lineCount = 0;
  private endBytes = 0;
  private droppedBytes = 0;
  private readonly truncated: number[] = [];

  constructor(
    private readonly chunk: Buffer,
    private readonly maxBodyBytes: number,
    private readonly lineEnds: LineEnds | undefined,
  ) {}

  /** Adds chunk[start, end) (whole lines, '\n' included); false if the body is full. */
  addSlice(start: number, end: number): boolean {
    if (!this.fits(end - start)) return false;
    if (this.runEnd !== start) {
      this.closeRun();
      this.runStart = start;
    }
    this.runEnd = end;
    this.count(end - start, end);
    return true;
  }

  /** Adds a fixed line (without its '\n') that ended at `chunkEnd` in the chunk; false if the body is full. */
  addFixed(line: FixedLine, chunkEnd: number): boolean {
    if (!this.fits(line.bytes.length + 1)) return false;
    this.closeRun();
    if (line.truncated) this.truncated.push(this.length);
    this.droppedBytes += line.droppedBytes;
    this.parts.push(line.bytes, NEWLINE);
    this.count(line.bytes.length + 1, chunkEnd);
    return true;
  }

  /** Adds a held over-long line's head; it always fits, since it is the first line of the body. */
  addTruncated(head: Buffer, droppedBytes: number, chunkEnd: number): void {
    this.addFixed({ bytes: head, droppedBytes, truncated: true }, chunkEnd);
  }

  result(consumedBytes: number, bodyFull = false): SplitResult {
    this.closeRun();
    const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.length);
    return {
      body,
      lineCount: this.lineCount,
      consumedBytes,
      endBytes: this.endBytes,
      truncated: this.truncated,
      droppedBytes: this.droppedBytes,
      bodyFull,
    };
  }

  private fits(bytes: number): boolean {
    return this.lineCount === 0 || this.length + bytes <= this.maxBodyBytes;
  }

  private count(bytes: number, chunkEnd: number): void {
    this.length += bytes;
    this.lineCount += 1;
    this.endBytes = chunkEnd;
    if (this.lineEnds) {
      this.lineEnds.ends.push(chunkEnd);
      this.lineEnds.dropped.push(this.droppedBytes);
    }
  }

  private closeRun(): void {
    if (this.runStart === -1) return;
    this.parts.push(this.chunk.subarray(this.runStart, this.runEnd));
    this.runStart = -1;
    this.runEnd = -1;
  }
}
