import type { LineDecoder } from '../formats/line-decoder.js';
import { EVENT_BREAK_BYTE, NUL_STAND_IN } from '../../protocol/index.js';
import { NEED_NEXT, NO, YES, type EventMatcher } from './event-rules.js';

const LF = 0x0a;
const NEWLINE = Buffer.from('\n');
const BREAK = Buffer.from([EVENT_BREAK_BYTE]);
const NUL_STAND_IN_BYTES = Buffer.from(NUL_STAND_IN);

/** How a line is attached to the one before it. */
const NEW = 0;
const JOINED = 1;
const CONTINUED = 2;

export interface JoinSettings {
  /** The file's rule; undefined: no multi-line events (only a decoder's partial lines are joined). */
  matcher: EventMatcher | undefined;
  maxLines: number;
  maxBytes: number;
  /** Undefined or plain: each line is its own message. */
  decoder: LineDecoder | undefined;
}

export interface JoinInput {
  /** Complete lines, each ended by '\n' (LineSplitter's body). */
  body: Buffer;
  /** Body offsets of the lines cut at maxLineBytes. */
  truncated: readonly number[];
  /** No line can follow the body's last one: the file's final read, or it stopped growing for the flush time. */
  ended: boolean;
  /** More of the file follows the body (lines not in it, or a partial line): its last event may go on there. */
  moreFollows: boolean;
}

export interface JoinResult {
  /** Events, each ended by '\n', the lines inside one separated by EVENT_BREAK_BYTE. The input body itself when nothing was joined. */
  body: Buffer;
  eventCount: number;
  /** Input lines `body` stands for; the lines after them (the held-back last event) are to be read again. */
  consumedLines: number;
  /** The last event was held back: it may still grow. */
  pending: boolean;
  /** Body offsets of the events holding a cut line. */
  truncated: number[];
}

/** The body's lines as messages: `text[starts[i], ends[i])`, with what a decoder said of each. */
interface Lines {
  count: number;
  text: Buffer;
  starts: number[];
  ends: number[];
  /** Undefined for plain lines (no prefix, no partial lines, one stream). */
  decoded: { prefixes: Buffer[]; partial: boolean[]; streams: string[] } | undefined;
}

/**
 * Joins a body's lines into events. Pure: what it returns depends on its arguments only (the
 * matcher is begun afresh on the body's first line), so a held-back event is simply read again with
 * the lines that follow it.
 */
export function joinEvents(input: JoinInput, settings: JoinSettings): JoinResult {
  const plain = settings.decoder === undefined || settings.decoder.format === 'plain';
  const firstBytes = settings.matcher?.firstBytes;
  if (plain && firstBytes !== undefined) {
    const quick = joinNothing(input, settings, firstBytes);
    if (quick !== undefined) return quick;
  }
  const lines = plain ? plainLines(input.body) : decodedLines(input.body, settings.decoder as LineDecoder);
  const { count, text, starts, ends, decoded } = lines;
  if (count === 0) return { body: input.body, eventCount: 0, consumedLines: 0, pending: false, truncated: [] };
  const { matcher, maxLines, maxBytes } = settings;
  const kinds = new Uint8Array(count);
  let eventStart = 0;
  let eventLines = 1;
  let eventBytes = lineBytes(lines, 0, NEW);
  let joins = 0;
  let consumed = count;
  matcher?.begin(text, starts[0] as number, ends[0] as number);
  for (let index = 1; index < count; index += 1) {
    let kind = NEW;
    if (decoded === undefined || decoded.streams[index] === decoded.streams[index - 1]) {
      if (decoded?.partial[index - 1] === true) kind = CONTINUED;
      // The rules are asked only when the line could still fit in the event.
      else if (matcher !== undefined && eventLines < maxLines && eventBytes + lineBytes(lines, index, JOINED) <= maxBytes) {
        const last = index + 1 === count;
        const verdict = matcher.continues(text, starts[index] as number, ends[index] as number, last ? -1 : (starts[index + 1] as number), last ? -1 : (ends[index + 1] as number));
        if (verdict === NEED_NEXT && !input.ended) {
          consumed = eventStart;
          break;
        }
        if (verdict === YES) kind = JOINED;
      }
    }
    if (kind !== NEW) {
      const bytes = eventBytes + lineBytes(lines, index, kind);
      if (bytes > maxBytes || (kind === JOINED && eventLines >= maxLines)) kind = NEW;
      else {
        eventBytes = bytes;
        if (kind === JOINED) eventLines += 1;
        joins += 1;
      }
    }
    if (kind === NEW) {
      eventStart = index;
      eventLines = 1;
      eventBytes = lineBytes(lines, index, NEW);
      matcher?.begin(text, starts[index] as number, ends[index] as number);
    }
    kinds[index] = kind;
  }
  let pending = consumed < count;
  if (!pending && !input.ended && eventLines < maxLines && eventBytes < maxBytes) {
    const partialLast = decoded?.partial[count - 1] === true;
    pending = partialLast || (matcher !== undefined && (input.moreFollows || matcher.mayGrow()));
    if (pending) consumed = eventStart;
  }
  if (decoded === undefined && (joins === 0 || consumed === 0)) {
    const body = consumed === count ? input.body : input.body.subarray(0, starts[consumed]);
    return { body, eventCount: countNew(kinds, consumed), consumedLines: consumed, pending, truncated: input.truncated.filter((offset) => offset < body.length) };
  }
  return { ...build(lines, kinds, consumed, input.body, input.truncated), consumedLines: consumed, pending };
}

/**
 * The common case, without building anything: no line has a first byte that can matter, so none
 * joins another; only the last line may be held back (or, an exception line, the two last ones:
 * then undefined, and the full join decides). Undefined too when a line may matter.
 */
function joinNothing(input: JoinInput, settings: JoinSettings, firstBytes: Uint8Array): JoinResult | undefined {
  const { body } = input;
  const matcher = settings.matcher as EventMatcher;
  let start = 0;
  let previous = -1;
  let last = -1;
  let count = 0;
  while (start < body.length) {
    if (firstBytes[body[start] as number] === 1) return undefined;
    const lf = body.indexOf(LF, start);
    if (lf === -1) return undefined;
    previous = last;
    last = start;
    count += 1;
    start = lf + 1;
  }
  const all = { body, eventCount: count, consumedLines: count, pending: false, truncated: [...input.truncated] };
  if (count === 0 || input.ended || settings.maxLines <= 1) return all;
  const lastEnd = body.length - 1;
  if (previous !== -1 && last - previous + lastEnd - last <= settings.maxBytes) {
    matcher.begin(body, previous, last - 1);
    if (matcher.continues(body, last, lastEnd, -1, -1) !== NO) return undefined;
  }
  matcher.begin(body, last, lastEnd);
  if (lastEnd - last >= settings.maxBytes || !(input.moreFollows || matcher.mayGrow())) return all;
  return { body: body.subarray(0, last), eventCount: count - 1, consumedLines: count - 1, pending: true, truncated: input.truncated.filter((offset) => offset < last) };
}

function countNew(kinds: Uint8Array, consumed: number): number {
  let events = 0;
  for (let index = 0; index < consumed; index += 1) if (kinds[index] === NEW) events += 1;
  return events;
}

/** Bytes a line adds to its event: its prefix when it heads it, a break before it when it is a line of its own. */
function lineBytes(lines: Lines, index: number, kind: number): number {
  const message = (lines.ends[index] as number) - (lines.starts[index] as number);
  if (kind === NEW) return message + (lines.decoded?.prefixes[index]?.length ?? 0);
  return kind === JOINED ? message + 1 : message;
}

function plainLines(body: Buffer): Lines {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let at = 0; at < body.length; ) {
    const lf = body.indexOf(LF, at);
    const end = lf === -1 ? body.length : lf;
    starts.push(at);
    ends.push(end);
    at = end + 1;
  }
  return { count: starts.length, text: body, starts, ends, decoded: undefined };
}

/** Decodes every line first; messages that are not views of the body are copied (a decoder reuses its buffers). */
function decodedLines(body: Buffer, decoder: LineDecoder): Lines {
  const raw = plainLines(body);
  const messages: Buffer[] = [];
  const decoded = { prefixes: [] as Buffer[], partial: [] as boolean[], streams: [] as string[] };
  for (let index = 0; index < raw.count; index += 1) {
    const line = decoder.decode(body.subarray(raw.starts[index], raw.ends[index]));
    messages.push(isViewOf(line.message, body) ? line.message : Buffer.from(line.message));
    decoded.prefixes.push(Buffer.from(line.prefix));
    decoded.partial.push(line.partial);
    decoded.streams.push(line.stream);
  }
  const text = Buffer.concat(messages);
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const message of messages) {
    starts.push(at);
    at += message.length;
    ends.push(at);
  }
  return { count: raw.count, text, starts, ends, decoded };
}

function isViewOf(part: Buffer, whole: Buffer): boolean {
  return part.buffer === whole.buffer && part.byteOffset >= whole.byteOffset && part.byteOffset + part.length <= whole.byteOffset + whole.length;
}

/** The events of the first `consumed` lines, as a new body. */
function build(lines: Lines, kinds: Uint8Array, consumed: number, body: Buffer, truncated: readonly number[]): { body: Buffer; eventCount: number; truncated: number[] } {
  const { text, starts, ends, decoded } = lines;
  const parts: Buffer[] = [];
  let length = 0;
  let events = 0;
  const push = (part: Buffer): void => {
    parts.push(part);
    length += part.length;
  };
  // Where each line's event starts in the new body, for the cut lines.
  const eventOffsets: number[] = [];
  let eventOffset = 0;
  for (let index = 0; index < consumed; index += 1) {
    const kind = kinds[index];
    if (kind === NEW) {
      if (index > 0) push(NEWLINE);
      eventOffset = length;
      events += 1;
      const prefix = decoded?.prefixes[index];
      if (prefix !== undefined && prefix.length > 0) push(prefix);
    } else if (kind === JOINED) push(BREAK);
    eventOffsets.push(eventOffset);
    const message = text.subarray(starts[index], ends[index]);
    if (decoded === undefined) push(message);
    else for (const piece of eventMessage(message)) push(piece);
  }
  if (consumed > 0) push(NEWLINE);
  const moved = new Set<number>();
  let line = 0;
  const bodyStarts = decoded === undefined ? starts : plainLines(body).starts;
  for (const offset of truncated) {
    while (line < consumed && (bodyStarts[line] as number) < offset) line += 1;
    if (line < consumed && bodyStarts[line] === offset) moved.add(eventOffsets[line] as number);
  }
  return { body: Buffer.concat(parts, length), eventCount: events, truncated: [...moved] };
}

/** A decoded message inside an event: its own '\n' (Docker's escaped newlines) break the event, a NUL becomes U+2400. */
function eventMessage(message: Buffer): Buffer[] {
  if (message.indexOf(LF) === -1 && message.indexOf(EVENT_BREAK_BYTE) === -1) return [message];
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = 0; at < message.length; at += 1) {
    const byte = message[at];
    if (byte !== LF && byte !== EVENT_BREAK_BYTE) continue;
    pieces.push(message.subarray(from, at), byte === LF ? BREAK : NUL_STAND_IN_BYTES);
    from = at + 1;
  }
  pieces.push(message.subarray(from));
  return pieces;
}
