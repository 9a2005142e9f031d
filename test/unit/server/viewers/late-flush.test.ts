import { describe, expect, it } from 'vitest';
import { LateFlush, type WaitingOutbox } from '../../../../server/viewers/late-flush.js';

function outbox(name: string, waitingSince: number, flushed: string[]): WaitingOutbox {
  return { waitingSince, flush: () => flushed.push(name) };
}

describe('LateFlush', () => {
  it('flushes only the outboxes that waited past the budget, oldest first, each once', () => {
    const flushed: string[] = [];
    const late = new LateFlush(2);
    late.add(outbox('a', 100, flushed));
    late.add(outbox('b', 101, flushed));
    late.add(outbox('c', 102.5, flushed));
    late.sendLate(101.9);
    expect(flushed).toEqual([]);
    late.sendLate(103);
    expect(flushed).toEqual(['a', 'b']);
    late.sendLate(103.1);
    expect(flushed).toEqual(['a', 'b']);
    late.sendLate(110);
    expect(flushed).toEqual(['a', 'b', 'c']);
  });

  it('forgets an outbox that sent its lines or closed', () => {
    const flushed: string[] = [];
    const late = new LateFlush(2);
    const a = outbox('a', 0, flushed);
    late.add(a);
    late.remove(a);
    late.sendLate(100);
    expect(flushed).toEqual([]);
  });
});
