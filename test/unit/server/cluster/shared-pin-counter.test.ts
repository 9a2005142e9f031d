import type { KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { SharedPinCounter } from '../../../../server/cluster/shared-pin-counter.js';
import { silentLogger } from '../../../../lib/logger.js';

/**
 * The part of a JetStream bucket the counter uses, in memory: `put` keeps the latest value of a
 * key, `history` lists the latest value of every key under a `<prefix>.>` pattern. `failing`
 * makes writes reject, as they do while NATS is away.
 */
class MemoryKv {
  readonly values = new Map<string, string>();
  failing = false;
  writes = 0;

  async put(key: string, value: string): Promise<number> {
    if (this.failing) throw new Error('no NATS');
    this.writes += 1;
    this.values.set(key, value);
    return this.writes;
  }

  async history({ key }: { key: string }): Promise<AsyncIterable<{ key: string; operation: string; string(): string }>> {
    const prefix = key.replace(/>$/, '');
    const entries = [...this.values].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => ({ key: k, operation: 'PUT', string: () => v }));
    return (async function* () {
      yield* entries;
    })();
  }
}

const logger = silentLogger();

function counter(kv: MemoryKv, hubId: string, clock: { now: number }, onDropped?: (n: number) => void): SharedPinCounter {
  return new SharedPinCounter({ kv: kv as unknown as KV, hubId, now: () => clock.now, logger, ...(onDropped ? { onDropped } : {}) });
}

const total = (buckets: Array<{ count: number }>) => buckets.reduce((sum, bucket) => sum + bucket.count, 0);

describe('SharedPinCounter', () => {
  it('sums every hub\u2019s own counts once, whichever hub is asked', async () => {
    const kv = new MemoryKv();
    const clock = { now: 1_764_000_000_000 };
    const a = counter(kv, 'a', clock);
    const b = counter(kv, 'b', clock);
    a.add('p1', 7);
    b.add('p1', 5);
    await Promise.all([a.flush(), b.flush()]);
    // Each hub reads its own count from memory and the other's from the bucket: never its own twice.
    expect(total(await a.rate('p1', clock.now - 60_000))).toBe(12);
    expect(total(await b.rate('p1', clock.now - 60_000))).toBe(12);
    a.add('p1', 1);
    expect(total(await a.rate('p1', clock.now - 60_000))).toBe(13);
    // B sees A's new match once A has flushed, as a total that replaces the old one.
    expect(total(await b.rate('p1', clock.now - 60_000))).toBe(12);
    await a.flush();
    expect(total(await b.rate('p1', clock.now - 60_000))).toBe(13);
    expect([...kv.values.keys()].filter((key) => key.startsWith('p1.')).map((key) => key.split('.').at(-1)).sort()).toEqual(['a', 'b']);
  });

  it('keeps counts while writes fail and writes them, once, when NATS is back', async () => {
    const kv = new MemoryKv();
    const clock = { now: 1_764_000_000_000 };
    const a = counter(kv, 'a', clock);
    const b = counter(kv, 'b', clock);
    kv.failing = true;
    a.add('p1', 4);
    await expect(a.flush()).rejects.toThrow(/could not write 1 of 1 pin counts/);
    clock.now += 10_000;
    a.add('p1', 6);
    await expect(a.flush()).rejects.toThrow();
    kv.failing = false;
    await a.flush();
    expect(total(await b.rate('p1', clock.now - 60_000))).toBe(10);
    // Flushing again writes nothing new and counts nothing twice.
    const writes = kv.writes;
    await a.flush();
    expect(kv.writes).toBe(writes);
    expect(total(await b.rate('p1', clock.now - 60_000))).toBe(10);
  });

  it('spreads counts over 10 s buckets from the one holding the start of the window', async () => {
    const kv = new MemoryKv();
    const clock = { now: 1_764_000_000_000 };
    const a = counter(kv, 'a', clock);
    a.add('p1', 2);
    clock.now += 25_000;
    a.add('p1', 3);
    await a.flush();
    const buckets = await counter(kv, 'b', clock).rate('p1', clock.now - 25_000);
    expect(buckets.map((bucket) => bucket.count)).toEqual([2, 0, 3]);
    expect(buckets[1]!.ts - buckets[0]!.ts).toBe(a.bucketMs);
  });
});
