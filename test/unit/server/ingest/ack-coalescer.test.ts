import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AckCoalescer } from '../../../../server/ingest/ack-coalescer.js';

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

describe('AckCoalescer with a gate', () => {
  /** A gate the test opens by hand, one promise per ack waiting on it. */
  function manualGate() {
    const opens: Array<() => void> = [];
    const gate = () =>
      new Promise<void>((resolve) => {
        opens.push(resolve);
      });
    return { gate, opens };
  }

  it('sends the turn’s ack only once the gate opens', async () => {
    const sent: number[] = [];
    const { gate, opens } = manualGate();
    const acks = new AckCoalescer((batch) => sent.push(batch), gate);
    acks.taken(1);
    acks.taken(2);
    await nextTurn();
    expect(opens).toHaveLength(1);
    expect(sent).toEqual([]);
    opens[0]!();
    await nextTurn();
    expect(sent).toEqual([2]);
  });

  it('stays cumulative and strictly increasing when gates open out of order', async () => {
    const sent: number[] = [];
    const { gate, opens } = manualGate();
    const acks = new AckCoalescer((batch) => sent.push(batch), gate);
    acks.taken(1);
    await nextTurn();
    acks.taken(2);
    acks.taken(3);
    await nextTurn();
    expect(opens).toHaveLength(2);
    opens[1]!();
    await nextTurn();
    expect(sent).toEqual([3]);
    // The older ack covers less than what was sent: never sent after it.
    opens[0]!();
    await nextTurn();
    expect(sent).toEqual([3]);
  });

  it('acks at once when the gate has nothing to wait for', async () => {
    const sent: number[] = [];
    const acks = new AckCoalescer((batch) => sent.push(batch), () => undefined);
    acks.taken(4);
    await nextTurn();
    expect(sent).toEqual([4]);
  });

  it('sends nothing after cancel, even when the gate opens later', async () => {
    const sent: number[] = [];
    const { gate, opens } = manualGate();
    const acks = new AckCoalescer((batch) => sent.push(batch), gate);
    acks.taken(5);
    await nextTurn();
    acks.cancel();
    opens[0]!();
    await nextTurn();
    acks.taken(6);
    await nextTurn();
    expect(sent).toEqual([]);
  });

  it('flush acknowledges everything taken in without waiting, including an ack held at the gate', async () => {
    const sent: number[] = [];
    const { gate, opens } = manualGate();
    const acks = new AckCoalescer((batch) => sent.push(batch), gate);
    acks.taken(1);
    await nextTurn();
    acks.taken(2);
    acks.flush();
    expect(sent).toEqual([2]);
    opens[0]!();
    await nextTurn();
    expect(sent).toEqual([2]);
  });
});
