import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AckCoalescer } from '../../../server/ack-coalescer.js';

describe('AckCoalescer', () => {
  it('sends one cumulative ack per event-loop turn, for the highest batch taken in', async () => {
    const sent: number[] = [];
    const acks = new AckCoalescer((batch) => sent.push(batch));
    acks.taken(1);
    acks.taken(2);
    acks.taken(3);
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([3]);
    acks.taken(4);
    await nextTurn();
    expect(sent).toEqual([3, 4]);
    // Nothing owed: no empty or repeated ack.
    await nextTurn();
    expect(sent).toEqual([3, 4]);
  });

  it('flushes what is owed at once, and never sends it twice', async () => {
    const sent: number[] = [];
    const acks = new AckCoalescer((batch) => sent.push(batch));
    acks.taken(7);
    acks.flush();
    expect(sent).toEqual([7]);
    await nextTurn();
    acks.flush();
    expect(sent).toEqual([7]);
  });

  it('forgets what is owed when cancelled', async () => {
    const sent: number[] = [];
    const acks = new AckCoalescer((batch) => sent.push(batch));
    acks.taken(1);
    acks.cancel();
    await nextTurn();
    expect(sent).toEqual([]);
  });
});
