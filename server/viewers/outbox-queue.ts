import type { MatchedLine } from '../../protocol/index.js';

/** Approximate serialized size of a line in a `matches` message: cheap arithmetic, no JSON. */
export function estimateLineBytes(line: MatchedLine): number {
  // 24: `,"eventTs":` and 13 digits, when the line states its time.
  return line.line.length + line.id.length + line.host.length + line.file.length + line.ranges.length * 12 + 64 + (line.eventTs === undefined ? 0 : 24);
}

export function estimateLinesBytes(lines: readonly MatchedLine[], from = 0): number {
  let bytes = 0;
  for (let i = from; i < lines.length; i += 1) bytes += estimateLineBytes(lines[i]!);
  return bytes;
}

interface Chunk {
  sub: string;
  lines: readonly MatchedLine[];
  /** Lines before `start` were sent or dropped. */
  start: number;
  bytes: number;
  backlog: boolean;
}

/**
 * Lines queued between two control messages. Dropped lines leave a count per subscription in
 * `gaps`; every gap precedes every chunk still queued in the same segment, so a `dropped` notice
 * sent ahead of them sits exactly where the lines went missing.
 */
interface Segment {
  kind: 'segment';
  gaps: Map<string, number>;
  chunks: Chunk[];
  head: number;
}

interface Control {
  kind: 'control';
  text: string;
  /** A later control message with the same key replaces this one while it waits (e.g. `sources`). */
  replaceKey: string | undefined;
}

/**
 * One viewer's pending output, in stream order: line chunks (which may be dropped, oldest first)
 * and control messages (subscribed, error, context, sources: never dropped). Pure data structure;
 * ViewerOutbox decides when to send and how much to keep.
 */
export class OutboxQueue {
  private items: Array<Segment | Control> = [];
  private head = 0;
  /** Estimated bytes of queued lines. */
  lineBytes = 0;
  /** Bytes of queued control messages and how many there are. */
  controlBytes = 0;
  controlCount = 0;

  get isEmpty(): boolean {
    return this.head === this.items.length;
  }

  pushLines(sub: string, lines: readonly MatchedLine[], bytes: number, backlog: boolean): void {
    if (lines.length === 0) return;
    const tail = this.items[this.items.length - 1];
    let segment: Segment;
    if (tail !== undefined && this.items.length > this.head && tail.kind === 'segment') segment = tail;
    else {
      segment = { kind: 'segment', gaps: new Map(), chunks: [], head: 0 };
      this.items.push(segment);
    }
    segment.chunks.push({ sub, lines, start: 0, bytes, backlog });
    this.lineBytes += bytes;
  }

  pushControl(text: string, replaceKey?: string): void {
    if (replaceKey !== undefined) {
      for (let i = this.head; i < this.items.length; i += 1) {
        const item = this.items[i]!;
        if (item.kind === 'control' && item.replaceKey === replaceKey) {
          this.controlBytes += text.length - item.text.length;
          item.text = text;
          return;
        }
      }
    }
    this.items.push({ kind: 'control', text, replaceKey });
    this.controlBytes += text.length;
    this.controlCount += 1;
  }

  /** Drops the oldest queued lines until at most `maxLineBytes` remain; returns how many were dropped. */
  dropOldest(maxLineBytes: number): number {
    let dropped = 0;
    for (let i = this.head; i < this.items.length && this.lineBytes > maxLineBytes; i += 1) {
      const segment = this.items[i]!;
      if (segment.kind !== 'segment') continue;
      while (segment.head < segment.chunks.length && this.lineBytes > maxLineBytes) {
        const chunk = segment.chunks[segment.head]!;
        let count: number;
        if (this.lineBytes - chunk.bytes >= maxLineBytes) {
          count = chunk.lines.length - chunk.start;
          this.lineBytes -= chunk.bytes;
          segment.head += 1;
        } else {
          count = 0;
          while (this.lineBytes > maxLineBytes && chunk.start < chunk.lines.length) {
            const bytes = estimateLineBytes(chunk.lines[chunk.start]!);
            chunk.start += 1;
            chunk.bytes -= bytes;
            this.lineBytes -= bytes;
            count += 1;
          }
          if (chunk.start === chunk.lines.length) segment.head += 1;
        }
        segment.gaps.set(chunk.sub, (segment.gaps.get(chunk.sub) ?? 0) + count);
        dropped += count;
      }
      compactChunks(segment);
    }
    return dropped;
  }

  /**
   * Removes and returns the next message to send, JSON-encoded: a control message, a `dropped`
   * notice, or a `matches` message of consecutive lines of one subscription, about
   * `maxMessageBytes` at most (at least one line).
   */
  takeMessage(maxMessageBytes: number): string | undefined {
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (item.kind === 'control') {
        this.removeHead();
        this.controlBytes -= item.text.length;
        this.controlCount -= 1;
        return item.text;
      }
      const gap = item.gaps.entries().next();
      if (!gap.done) {
        const [sub, count] = gap.value;
        item.gaps.delete(sub);
        return JSON.stringify({ type: 'dropped', sub, count });
      }
      if (item.head < item.chunks.length) return this.takeLines(item, maxMessageBytes);
      this.removeHead();
    }
    return undefined;
  }

  private takeLines(segment: Segment, maxMessageBytes: number): string {
    const first = segment.chunks[segment.head]!;
    const lines: MatchedLine[] = [];
    let budget = maxMessageBytes;
    while (segment.head < segment.chunks.length) {
      const chunk = segment.chunks[segment.head]!;
      if (chunk.sub !== first.sub || chunk.backlog !== first.backlog) break;
      if (chunk.bytes <= budget) {
        for (let i = chunk.start; i < chunk.lines.length; i += 1) lines.push(chunk.lines[i]!);
        budget -= chunk.bytes;
        this.lineBytes -= chunk.bytes;
        segment.head += 1;
        continue;
      }
      // Part of a chunk: as many lines as fit, and always at least one so the queue moves.
      while (chunk.start < chunk.lines.length) {
        const bytes = estimateLineBytes(chunk.lines[chunk.start]!);
        if (bytes > budget && lines.length > 0) break;
        lines.push(chunk.lines[chunk.start]!);
        chunk.start += 1;
        chunk.bytes -= bytes;
        this.lineBytes -= bytes;
        budget -= bytes;
      }
      if (chunk.start === chunk.lines.length) segment.head += 1;
      break;
    }
    compactChunks(segment);
    return JSON.stringify(
      first.backlog ? { type: 'matches', sub: first.sub, lines, backlog: true } : { type: 'matches', sub: first.sub, lines },
    );
  }

  private removeHead(): void {
    this.items[this.head] = undefined as unknown as Control;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Frees the slots of chunks already sent or dropped once they are half the array. */
function compactChunks(segment: Segment): void {
  if (segment.head === segment.chunks.length) {
    segment.chunks = [];
    segment.head = 0;
  } else if (segment.head > 64 && segment.head * 2 > segment.chunks.length) {
    segment.chunks = segment.chunks.slice(segment.head);
    segment.head = 0;
  }
}
