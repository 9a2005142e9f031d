import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubToClient, MatchedLine } from '../../../../protocol/index.js';
import { ViewerOutbox, type OutboxOptions } from '../../../../server/viewers/viewer-outbox.js';
import { LateFlush } from '../../../../server/viewers/late-flush.js';
import { estimateLineBytes } from '../../../../server/viewers/outbox-queue.js';

class FakeSocket {
  bufferedAmount = 0;
  readonly sent: HubToClient[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text) as HubToClient);
  }
  /** What arrived, compactly: "matches:sub:n1,n2", "dropped:sub:count", or the message type. */
  summary(): string[] {
    return this.sent.map((message) => {
      if (message.type === 'matches') return `matches:${message.sub}${message.backlog ? '(backlog)' : ''}:${message.lines.map((line) => line.line).join(',')}`;
      if (message.type === 'dropped') return `dropped:${message.sub}:${message.count}`;
      return message.type;
    });
  }
}

let seq = 0;
function lines(...texts: string[]): MatchedLine[] {
  return texts.map((line) => ({ id: `h-1-${seq++}`, host: 'h', file: 'f', ts: 0, line, ranges: [] }));
}

/** Every test line below has the same estimated size. */
const LINE_BYTES = estimateLineBytes(lines('L00')[0]!);

const OPTIONS: OutboxOptions = { maxQueueBytes: 10 * LINE_BYTES, highWaterBytes: 1000, flushIntervalMs: 25, flushBytes: 5 * LINE_BYTES };

describe('ViewerOutbox', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends what one turn queued at the end of that turn while the socket is idle', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01'));
    outbox.sendLines('s', lines('L02'));
    expect(socket.sent).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(socket.summary()).toEqual(['matches:s:L01,L02']);
    outbox.sendLines('s', lines('L03'));
    vi.advanceTimersByTime(0);
    expect(socket.summary()).toEqual(['matches:s:L01,L02', 'matches:s:L03']);
  });

  it('holds the stream under the socket for the whole flush: subscribed and its backlog leave in one write', () => {
    const events: string[] = [];
    const socket = new FakeSocket();
    const corked = {
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      send: (text: string) => {
        socket.send(text);
        events.push(`send ${socket.summary().at(-1)!}`);
      },
      cork: () => events.push('cork'),
      uncork: () => events.push('uncork'),
    };
    const outbox = new ViewerOutbox(corked, OPTIONS);
    outbox.sendMessage({ type: 'subscribed', sub: 's', filter: { query: 'L' } });
    outbox.sendLines('s', lines('L01', 'L02'), true);
    vi.advanceTimersByTime(0);
    expect(events).toEqual(['cork', 'send subscribed', 'send matches:s(backlog):L01,L02', 'uncork']);
  });

  it('sends lines that waited past the budget in a long turn before the turn ends, and nothing twice', () => {
    const socket = new FakeSocket();
    const late = new LateFlush(2);
    const outbox = new ViewerOutbox(socket, OPTIONS, {}, late);
    outbox.sendLines('s', lines('L01'));
    late.sendLate(outbox.waitingSince + 1);
    expect(socket.sent).toEqual([]);
    late.sendLate(outbox.waitingSince + 2);
    expect(socket.summary()).toEqual(['matches:s:L01']);
    // Lines queued later in the same turn still go out at its end, once.
    outbox.sendLines('s', lines('L02'));
    vi.advanceTimersByTime(0);
    expect(socket.summary()).toEqual(['matches:s:L01', 'matches:s:L02']);
    vi.advanceTimersByTime(100);
    late.sendLate(outbox.waitingSince + 100);
    expect(socket.sent).toHaveLength(2);
  });

  it('coalesces for a flush interval while the socket still holds unsent bytes', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 10; // below the high-water mark: sending is allowed, just not urgent
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01'));
    vi.advanceTimersByTime(10);
    outbox.sendLines('s', lines('L02'));
    vi.advanceTimersByTime(14);
    expect(socket.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.summary()).toEqual(['matches:s:L01,L02']);
  });

  it('flushes at once when enough is queued', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01', 'L02', 'L03', 'L04', 'L05'));
    expect(socket.summary()).toEqual(['matches:s:L01,L02,L03,L04,L05']);
  });

  it('keeps control messages and lines in order and never merges backlog with live lines', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, { ...OPTIONS, flushBytes: 1_000_000 });
    outbox.sendMessage({ type: 'subscribed', sub: 'a', filter: { query: 'x' } });
    outbox.sendLines('a', lines('B01'), true);
    outbox.sendLines('a', lines('L01'));
    outbox.sendLines('b', lines('L02'));
    outbox.sendLines('a', lines('L03'));
    outbox.sendMessage({ type: 'context', req: 'r', id: 'i', found: false, lines: [] });
    outbox.sendLines('a', lines('L04'));
    vi.advanceTimersByTime(0);
    expect(socket.summary()).toEqual([
      'subscribed',
      'matches:a(backlog):B01',
      'matches:a:L01',
      'matches:b:L02',
      'matches:a:L03',
      'context',
      'matches:a:L04',
    ]);
  });

  it('holds output while the socket is above its high-water mark, then drops the oldest lines and reports the gap first', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const dropped: number[] = [];
    const outbox = new ViewerOutbox(socket, OPTIONS, { onDropped: (count) => dropped.push(count) });
    const subscribed: HubToClient = { type: 'subscribed', sub: 's', filter: { query: '' } };
    outbox.sendMessage(subscribed);
    const names = Array.from({ length: 25 }, (_, i) => `L${String(i).padStart(2, '0')}`);
    for (const name of names) {
      outbox.sendLines('s', lines(name));
      // Bounded at every step: the viewer's queue never holds more than maxQueueBytes.
      expect(outbox.queuedBytes).toBeLessThanOrEqual(OPTIONS.maxQueueBytes);
    }
    vi.advanceTimersByTime(100);
    expect(socket.sent).toEqual([]);
    // The control message counts against the bound too, so slightly fewer than 10 lines fit.
    const kept = Math.floor((OPTIONS.maxQueueBytes - JSON.stringify(subscribed).length) / LINE_BYTES);
    expect(kept).toBe(9);
    expect(dropped.reduce((sum, count) => sum + count, 0)).toBe(25 - kept);

    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(25);
    expect(socket.summary()).toEqual(['subscribed', `dropped:s:${25 - kept}`, `matches:s:${names.slice(25 - kept).join(',')}`]);
  });

  it('reports each subscription’s gap where its lines went missing', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const outbox = new ViewerOutbox(socket, { ...OPTIONS, maxQueueBytes: 4 * LINE_BYTES });
    outbox.sendLines('a', lines('A01', 'A02'));
    outbox.sendLines('b', lines('B01'));
    outbox.sendMessage({ type: 'subscribed', sub: 'c', filter: { query: '' } });
    outbox.sendLines('a', lines('A03'));
    outbox.sendLines('b', lines('B02', 'B03'));
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(25);
    // A01, A02 and B01 went; the gap sits before the control message that followed them.
    expect(socket.summary()).toEqual(['dropped:a:2', 'dropped:b:1', 'subscribed', 'matches:a:A03', 'matches:b:B02,B03']);
  });

  it('stops sending when the socket fills up mid-flush and resumes when it drains', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, { ...OPTIONS, maxQueueBytes: 100 * LINE_BYTES });
    const original = socket.send.bind(socket);
    socket.send = (text: string) => {
      original(text);
      socket.bufferedAmount += 2000; // each send pushes the socket over the mark
    };
    outbox.sendLines('a', lines('A01'));
    outbox.sendLines('b', lines('B01'));
    vi.advanceTimersByTime(0);
    expect(socket.summary()).toEqual(['matches:a:A01']);
    vi.advanceTimersByTime(100); // polled every interval, still full
    expect(socket.sent).toHaveLength(1);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(25);
    expect(socket.summary()).toEqual(['matches:a:A01', 'matches:b:B01']);
  });

  it('replaces a waiting sources message with the newer one', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendText(JSON.stringify({ type: 'sources', agents: [] }), 'sources');
    outbox.sendText(JSON.stringify({ type: 'sources', agents: [{ host: 'new', connected: true, files: [] }] }), 'sources');
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(25);
    expect(socket.sent).toEqual([{ type: 'sources', agents: [{ host: 'new', connected: true, files: [] }] }]);
  });

  it('gives up on a viewer whose unread answers exceed the bound', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const onOverflow = vi.fn();
    const outbox = new ViewerOutbox(socket, OPTIONS, { onOverflow });
    const big = { type: 'context' as const, req: 'r', id: 'x', found: true, lines: [{ id: 'x', host: 'h', file: 'f', ts: 0, line: 'y'.repeat(OPTIONS.maxQueueBytes) }] };
    outbox.sendMessage(big);
    expect(onOverflow).not.toHaveBeenCalled(); // one large answer is allowed through
    outbox.sendMessage(big);
    expect(onOverflow).toHaveBeenCalledTimes(1);
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(100);
    expect(socket.sent).toEqual([]);
  });

  it('counts control messages larger than a line against the bound, step by step, until they alone overflow it', () => {
    const socket = new FakeSocket();
    const texts: string[] = [];
    const send = socket.send.bind(socket);
    socket.send = (text: string) => {
      texts.push(text);
      send(text);
    };
    socket.bufferedAmount = 5000;
    let droppedLines = 0;
    const onOverflow = vi.fn();
    const outbox = new ViewerOutbox(socket, OPTIONS, { onDropped: (count) => (droppedLines += count), onOverflow });
    // A ledger kept apart from the outbox's own counters: bytes handed in, minus bytes sent, minus
    // the lines it reported dropped (all lines here have the same size).
    const fixedLine = (n: number): MatchedLine => ({ id: `h-${String(n).padStart(6, '0')}`, host: 'h', file: 'f', ts: 0, line: 'L', ranges: [] });
    const lineBytes = estimateLineBytes(fixedLine(0));
    let pushedBytes = 0;
    const sentBytes = (): number =>
      texts.reduce((sum, text) => {
        const message = JSON.parse(text) as HubToClient;
        if (message.type === 'matches') return sum + message.lines.reduce((bytes, line) => bytes + estimateLineBytes(line), 0);
        return message.type === 'dropped' ? sum : sum + text.length;
      }, 0);
    const held = (): number => pushedBytes - sentBytes() - droppedLines * lineBytes;
    let seqNo = 0;
    const control = (): void => {
      const message: HubToClient = { type: 'context', req: `r${seqNo}`, id: 'x', found: true, lines: [{ id: 'x', host: 'h', file: 'f', ts: 0, line: 'c'.repeat(2 * lineBytes) }] };
      pushedBytes += JSON.stringify(message).length;
      outbox.sendMessage(message);
    };
    const line = (): void => {
      pushedBytes += lineBytes;
      outbox.sendLines('s', [fixedLine(seqNo)]);
    };
    const controlBytes = JSON.stringify({ type: 'context', req: 'r0', id: 'x', found: true, lines: [{ id: 'x', host: 'h', file: 'f', ts: 0, line: 'c'.repeat(2 * lineBytes) }] }).length;
    expect(controlBytes).toBeGreaterThan(3 * lineBytes);
    const controlsThatFit = Math.floor(OPTIONS.maxQueueBytes / controlBytes);
    expect(controlsThatFit).toBeGreaterThanOrEqual(2);

    // Many rounds while the viewer reads now and then: up to controlsThatFit answers pile up
    // between two reads, with lines around them; the queue stays within its bound at every step.
    let controlsSent = 0;
    for (let round = 0; round < 50; round += 1) {
      for (let step = 0; step < controlsThatFit; step += 1, seqNo += 1) {
        for (let i = 0; i < 4; i += 1) {
          line();
          expect(held()).toBeLessThanOrEqual(OPTIONS.maxQueueBytes);
        }
        control();
        controlsSent += 1;
        expect(held()).toBeLessThanOrEqual(OPTIONS.maxQueueBytes);
        expect(outbox.queuedBytes).toBe(held());
      }
      socket.bufferedAmount = 0;
      vi.advanceTimersByTime(OPTIONS.flushIntervalMs);
      expect(held()).toBe(0);
      socket.bufferedAmount = 5000;
    }
    expect(socket.sent.filter((message) => message.type === 'context')).toHaveLength(controlsSent);
    expect(droppedLines).toBeGreaterThan(0);
    expect(onOverflow).not.toHaveBeenCalled();

    // The viewer stops reading: one answer more than fits closes it, and its queue is freed.
    for (let step = 0; step <= controlsThatFit; step += 1, seqNo += 1) {
      line();
      control();
      if (onOverflow.mock.calls.length === 0) expect(held()).toBeLessThanOrEqual(OPTIONS.maxQueueBytes);
    }
    expect(onOverflow).toHaveBeenCalledTimes(1);
    expect(outbox.queuedBytes).toBe(0);
  });

  it('splits a very large batch into several messages', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, { ...OPTIONS, maxQueueBytes: 10_000_000, highWaterBytes: 100_000_000 });
    const many = Array.from({ length: 5000 }, () => lines('x'.repeat(100))[0]!);
    outbox.sendLines('s', many);
    vi.advanceTimersByTime(0);
    const counts = socket.sent.map((message) => (message.type === 'matches' ? message.lines.length : 0));
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(socket.sent.flatMap((message) => (message.type === 'matches' ? message.lines.map((line) => line.id) : []))).toEqual(many.map((line) => line.id));
  });
  /** Lines whose estimated size is exactly LINE_BYTES each (ids of one width). */
  function sized(count: number): MatchedLine[] {
    return Array.from({ length: count }, () => ({ id: `h-1-${String(seq++ % 10)}`, host: 'h', file: 'f', ts: 0, line: 'L00', ranges: [] }));
  }

  it('sends while the socket holds exactly its high-water mark', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = OPTIONS.highWaterBytes;
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01'));
    vi.advanceTimersByTime(OPTIONS.flushIntervalMs);
    expect(socket.summary()).toEqual(['matches:s:L01']);
  });

  it('flushes at once when exactly flushBytes are queued', () => {
    const socket = new FakeSocket();
    const outbox = new ViewerOutbox(socket, OPTIONS);
    const batch = sized(5);
    expect(batch.reduce((sum, line) => sum + estimateLineBytes(line), 0)).toBe(OPTIONS.flushBytes);
    outbox.sendLines('s', batch);
    expect(socket.sent).toHaveLength(1);
  });

  it('queues and sends nothing once closed, and holds no bytes', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01'));
    outbox.close();
    expect(outbox.queuedBytes).toBe(0);
    outbox.sendLines('s', lines('L02'));
    outbox.sendMessage({ type: 'subscribed', sub: 's', filter: { query: '' } });
    outbox.sendText('{"type":"sources","agents":[]}', 'sources');
    expect(outbox.queuedBytes).toBe(0);
    socket.bufferedAmount = 0;
    outbox.flush();
    vi.advanceTimersByTime(100);
    expect(socket.sent).toEqual([]);
  });

  it('measures a line\'s wait for the end of the turn from the first line queued', () => {
    const socket = new FakeSocket();
    const late = new LateFlush(2);
    const outbox = new ViewerOutbox(socket, OPTIONS, {}, late);
    const now = vi.spyOn(performance, 'now').mockReturnValue(1000);
    outbox.sendLines('s', lines('L01'));
    now.mockReturnValue(1500);
    outbox.sendLines('s', lines('L02'));
    now.mockRestore();
    expect(outbox.waitingSince).toBe(1000);
    late.sendLate(1002);
    expect(socket.summary()).toEqual(['matches:s:L01,L02']);
  });

  it('sends at the end of the turn again once a flush has emptied the queue, not after the interval it had planned', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 10;
    const outbox = new ViewerOutbox(socket, OPTIONS);
    outbox.sendLines('s', lines('L01')); // socket busy: a flush is planned after the interval
    socket.bufferedAmount = 0;
    outbox.sendLines('s', sized(5)); // enough for a flush at once, which empties the queue
    expect(socket.sent).toHaveLength(1);
    expect(outbox.queuedBytes).toBe(0);
    outbox.sendLines('s', lines('L02'));
    vi.advanceTimersByTime(0);
    expect(socket.summary().at(-1)).toBe('matches:s:L02');
  });

  it('reports drops only when lines were dropped', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const onDropped = vi.fn();
    const outbox = new ViewerOutbox(socket, OPTIONS, { onDropped });
    outbox.sendText(JSON.stringify({ type: 'note', text: 'n'.repeat(2 * OPTIONS.maxQueueBytes) }));
    expect(onDropped).not.toHaveBeenCalled();
    outbox.sendLines('s', lines('L01'));
    expect(onDropped).toHaveBeenCalledWith(1);
  });

  it('keeps a viewer whose unread answers fill the bound exactly, and closes one past it even without hooks', () => {
    const socket = new FakeSocket();
    socket.bufferedAmount = 5000;
    const onOverflow = vi.fn();
    const outbox = new ViewerOutbox(socket, OPTIONS, { onOverflow });
    const half = JSON.stringify({ type: 'note', text: '' });
    const text = (length: number): string => JSON.stringify({ type: 'note', text: 'n'.repeat(length - half.length) });
    outbox.sendText(text(OPTIONS.maxQueueBytes / 2));
    outbox.sendText(text(OPTIONS.maxQueueBytes - OPTIONS.maxQueueBytes / 2));
    outbox.sendLines('s', lines('L01'));
    expect(onOverflow).not.toHaveBeenCalled();
    expect(outbox.queuedBytes).toBe(OPTIONS.maxQueueBytes);

    const bare = new ViewerOutbox(socket, OPTIONS);
    bare.sendText(text(OPTIONS.maxQueueBytes));
    expect(() => bare.sendText(text(100))).not.toThrow();
    expect(bare.queuedBytes).toBe(0);
  });
});
