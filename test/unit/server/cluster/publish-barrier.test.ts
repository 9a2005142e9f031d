import { afterEach, describe, expect, it, vi } from 'vitest';
import { PublishBarrier } from '../../../../server/cluster/publish-barrier.js';

/** A fake NATS flush: each call is one round trip the test answers (or not) by hand. */
function fakeNats() {
  const pending: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  let connected = true;
  const unconfirmed: string[] = [];
  const barrier = new PublishBarrier({
    flush: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    connected: () => connected,
    timeoutMs: 1_000,
    onUnconfirmed: (reason) => unconfirmed.push(reason),
  });
  return {
    barrier,
    pending,
    unconfirmed,
    setConnected(value: boolean) {
      connected = value;
    },
  };
}

/** Lets settled promises run their reactions. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PublishBarrier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one round trip among everyone who asked before it started', async () => {
    const nats = fakeNats();
    const released: string[] = [];
    void nats.barrier.afterPublished()!.then(() => released.push('a'));
    expect(nats.pending).toHaveLength(1);
    nats.pending[0]!.resolve();
    await settle();
    expect(released).toEqual(['a']);
  });

  it('makes callers arriving during a round trip wait for the next one, started after it', async () => {
    const nats = fakeNats();
    const released: string[] = [];
    void nats.barrier.afterPublished()!.then(() => released.push('first'));
    // Published after the first round trip started: it does not cover these.
    void nats.barrier.afterPublished()!.then(() => released.push('second'));
    void nats.barrier.afterPublished()!.then(() => released.push('third'));
    expect(nats.pending).toHaveLength(1);
    nats.pending[0]!.resolve();
    await settle();
    expect(released).toEqual(['first']);
    // The next round trip, shared by both later callers, starts once the first one ends.
    expect(nats.pending).toHaveLength(2);
    nats.pending[1]!.resolve();
    await settle();
    expect(released).toEqual(['first', 'second', 'third']);
    // Idle again: a new caller starts its own round trip at once.
    void nats.barrier.afterPublished();
    expect(nats.pending).toHaveLength(3);
  });

  it('releases waiters when NATS does not answer in time, and reports it once', async () => {
    vi.useFakeTimers();
    const nats = fakeNats();
    let released = false;
    void nats.barrier.afterPublished()!.then(() => {
      released = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(released).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toBe(true);
    expect(nats.unconfirmed).toEqual(['timeout']);
    // A late failure of the timed-out round trip is not counted again.
    nats.pending[0]!.reject(new Error('connection closed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(nats.unconfirmed).toEqual(['timeout']);
  });

  it('releases waiters when the round trip fails', async () => {
    const nats = fakeNats();
    let released = false;
    void nats.barrier.afterPublished()!.then(() => {
      released = true;
    });
    nats.pending[0]!.reject(new Error('connection closed'));
    await settle();
    expect(released).toBe(true);
    expect(nats.unconfirmed).toEqual(['error']);
  });

  it('has nothing to wait for while NATS is disconnected', () => {
    const nats = fakeNats();
    nats.setConnected(false);
    expect(nats.barrier.afterPublished()).toBeUndefined();
    expect(nats.pending).toHaveLength(0);
  });
});
