import { describe, expect, it } from 'vitest';
import type { HubToClient, MatchedLine } from '../../../../protocol/index.js';
import { OutboxQueue, estimateLineBytes, estimateLinesBytes } from '../../../../server/viewers/outbox-queue.js';

let seq = 0;
/** Lines of equal estimated size (ids padded to one width). */
function lines(...texts: string[]): MatchedLine[] {
  return texts.map((line) => ({ id: `h-${String(seq++).padStart(6, '0')}`, host: 'h', file: 'f', ts: 0, line, ranges: [] }));
}
const LINE = estimateLineBytes(lines('L00')[0]!);

function push(queue: OutboxQueue, sub: string, batch: MatchedLine[], backlog = false): void {
  queue.pushLines(sub, batch, estimateLinesBytes(batch), backlog);
}

/** Everything the queue hands out, compactly: "sub:L01,L02", "dropped:sub:n", or a control text. */
function drain(queue: OutboxQueue, maxMessageBytes = 1_000_000): string[] {
  const out: string[] = [];
  for (let message = queue.takeMessage(maxMessageBytes); message !== undefined; message = queue.takeMessage(maxMessageBytes)) {
    const parsed = JSON.parse(message) as HubToClient | { type: 'note' };
    if (parsed.type === 'matches') out.push(`${parsed.sub}${parsed.backlog ? '(backlog)' : ''}:${parsed.lines.map((line) => line.line).join(',')}`);
    else if (parsed.type === 'dropped') out.push(`dropped:${parsed.sub}:${parsed.count}`);
    else out.push(message);
  }
  return out;
}

const note = (text: string): string => JSON.stringify({ type: 'note', text });

describe('estimateLineBytes', () => {
  it('grows at least as much as the serialized line when any field grows', () => {
    const base: MatchedLine = { id: 'h-1', host: 'h', file: 'f', ts: 0, line: 'x', ranges: [] };
    const grown: MatchedLine[] = [
      { ...base, line: 'x'.repeat(500) },
      { ...base, id: 'h-'.padEnd(500, '1') },
      { ...base, host: 'h'.repeat(500) },
      { ...base, file: 'f'.repeat(500) },
      { ...base, ranges: Array.from({ length: 50 }, (_, i): [number, number] => [i * 100, i * 100 + 99]) },
    ];
    for (const line of grown) {
      const serializedGrowth = JSON.stringify(line).length - JSON.stringify(base).length;
      expect(estimateLineBytes(line) - estimateLineBytes(base)).toBeGreaterThanOrEqual(serializedGrowth);
    }
  });
});

describe('OutboxQueue', () => {
  it('ignores an empty batch', () => {
    const queue = new OutboxQueue();
    queue.pushLines('s', [], 0, false);
    expect(queue.isEmpty).toBe(true);
    expect(queue.takeMessage(1000)).toBeUndefined();
  });

  it('replaces a waiting control message only by one with the same key, in its place, and counts its bytes', () => {
    const queue = new OutboxQueue();
    queue.pushControl(note('a1'), 'a');
    push(queue, 's', lines('L01'));
    queue.pushControl(note('b1'), 'b');
    queue.pushControl(note('plain'));
    queue.pushControl(note('a2-longer'), 'a');
    expect(queue.controlCount).toBe(3);
    expect(queue.controlBytes).toBe(note('a2-longer').length + note('b1').length + note('plain').length);
    expect(drain(queue)).toEqual([note('a2-longer'), 's:L01', note('b1'), note('plain')]);
    expect(queue.controlCount).toBe(0);
    expect(queue.controlBytes).toBe(0);
    // Once sent, a key no longer replaces anything: the next message with it is queued anew.
    queue.pushControl(note('a3'), 'a');
    expect(drain(queue)).toEqual([note('a3')]);
  });

  it('drops whole batches, then single lines, oldest first, down to exactly the bytes asked for', () => {
    const queue = new OutboxQueue();
    push(queue, 'a', lines('A01', 'A02'));
    push(queue, 'b', lines('B01', 'B02', 'B03'));
    expect(queue.dropOldest(5 * LINE)).toBe(0);
    expect(queue.lineBytes).toBe(5 * LINE);
    // Exactly one batch too many: that batch goes, nothing more.
    expect(queue.dropOldest(3 * LINE)).toBe(2);
    expect(queue.lineBytes).toBe(3 * LINE);
    // Part of a batch: its oldest line only.
    expect(queue.dropOldest(2 * LINE)).toBe(1);
    expect(queue.lineBytes).toBe(2 * LINE);
    expect(drain(queue)).toEqual(['dropped:a:2', 'dropped:b:1', 'b:B02,B03']);
    expect(queue.lineBytes).toBe(0);
  });

  it('keeps its byte count true through partial drops and partial takes', () => {
    const queue = new OutboxQueue();
    push(queue, 'a', lines('A01', 'A02', 'A03', 'A04'));
    push(queue, 'a', lines('A05', 'A06'));
    expect(queue.dropOldest(5 * LINE)).toBe(1);
    // Three lines fit exactly in a message.
    expect(queue.takeMessage(3 * LINE)).toBe(JSON.stringify({ type: 'dropped', sub: 'a', count: 1 }));
    const first = JSON.parse(queue.takeMessage(3 * LINE)!) as { lines: MatchedLine[] };
    expect(first.lines.map((line) => line.line)).toEqual(['A02', 'A03', 'A04']);
    expect(queue.lineBytes).toBe(2 * LINE);
    expect(queue.dropOldest(LINE)).toBe(1);
    expect(queue.lineBytes).toBe(LINE);
    expect(drain(queue)).toEqual(['dropped:a:1', 'a:A06']);
  });

  it('counts the rest of a batch a message took part of as it is', () => {
    const queue = new OutboxQueue();
    push(queue, 'a', lines('A01', 'A02', 'A03'));
    push(queue, 'a', lines('A04', 'A05'));
    expect(drain(queue, 4 * LINE).slice(0, 1)).toEqual(['a:A01,A02,A03,A04']);
    push(queue, 'a', lines('A06', 'A07', 'A08'));
    push(queue, 'a', lines('A09', 'A10'));
    expect(queue.takeMessage(4 * LINE)).toContain('"A09"');
    expect(queue.lineBytes).toBe(LINE);
    expect(drain(queue, 4 * LINE)).toEqual(['a:A10']);
    expect(queue.lineBytes).toBe(0);
  });

  it('packs as many lines of one subscription as fit in a message, and at least one', () => {
    const queue = new OutboxQueue();
    push(queue, 's', lines('L01', 'L02', 'L03', 'L04', 'L05', 'L06', 'L07'));
    expect(drain(queue, 3 * LINE)).toEqual(['s:L01,L02,L03', 's:L04,L05,L06', 's:L07']);
    push(queue, 's', lines('L08', 'L09'));
    push(queue, 's', lines('L10'));
    expect(drain(queue, 3.5 * LINE)).toEqual(['s:L08,L09,L10']);
    // A line larger than a message still goes, alone, and the next subscription's lines follow.
    push(queue, 'a', lines('x'.repeat(10 * LINE)));
    push(queue, 'b', lines('B01'));
    expect(drain(queue, 3 * LINE).map((text) => text.slice(0, 6))).toEqual(['a:xxxx', 'b:B01']);
    expect(queue.isEmpty).toBe(true);
    expect(queue.lineBytes).toBe(0);
  });

  it('hands out every line once, in order, within the message size, through a long mixed run', () => {
    const queue = new OutboxQueue();
    let random = 7;
    const next = (n: number): number => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % n;
    };
    const pushed: string[] = [];
    const taken: string[] = [];
    let dropped = 0;
    let reportedDropped = 0;
    let queuedControls: string[] = [];
    const size = estimateLineBytes(lines('L00000')[0]!);
    const maxMessage = 4 * size;
    for (let step = 0; step < 3000; step += 1) {
      const op = next(10);
      if (op < 5) {
        const batch = lines(...Array.from({ length: 1 + next(4) }, (_, i) => `L${String(pushed.length + i).padStart(5, '0')}`));
        pushed.push(...batch.map((line) => line.line));
        push(queue, next(2) === 0 ? 'a' : 'b', batch);
      } else if (op === 5) {
        const text = note(`c${step}`);
        queuedControls.push(text);
        queue.pushControl(text);
      } else if (op === 6) {
        dropped += queue.dropOldest(next(8) * size);
      } else {
        const message = queue.takeMessage(maxMessage);
        if (message === undefined) {
          expect(queue.isEmpty).toBe(true);
          continue;
        }
        const parsed = JSON.parse(message) as HubToClient | { type: 'note' };
        if (parsed.type === 'matches') {
          expect(parsed.lines.length).toBeGreaterThan(0);
          if (parsed.lines.length > 1) expect(estimateLinesBytes(parsed.lines)).toBeLessThanOrEqual(maxMessage);
          taken.push(...parsed.lines.map((line) => line.line));
        } else if (parsed.type === 'dropped') reportedDropped += parsed.count;
        else {
          expect(message).toBe(queuedControls[0]);
          queuedControls = queuedControls.slice(1);
        }
      }
      // The counters always match what is still queued.
      expect(queue.lineBytes).toBe((pushed.length - taken.length - dropped) * size);
      expect(queue.controlCount).toBe(queuedControls.length);
      expect(queue.controlBytes).toBe(queuedControls.reduce((sum, text) => sum + text.length, 0));
    }
    drain(queue).forEach((text) => {
      if (text.startsWith('dropped:')) reportedDropped += Number(text.split(':')[2]);
      else if (/^[ab]:/.test(text)) taken.push(...text.slice(2).split(','));
    });
    expect(dropped).toBeGreaterThan(0);
    expect(reportedDropped).toBe(dropped);
    expect(taken.length + dropped).toBe(pushed.length);
    // Lines leave in the order they came (dropping takes the oldest ones).
    expect(taken).toEqual([...taken].sort());
    expect(queue.lineBytes).toBe(0);
    expect(queue.isEmpty).toBe(true);
  });
});
