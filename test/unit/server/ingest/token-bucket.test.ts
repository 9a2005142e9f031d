import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../server/ingest/token-bucket.js';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('starts full, grants what it has, and refills at its rate up to its capacity', () => {
    const time = clock();
    const bucket = new TokenBucket(100, 100, time.now);
    expect(bucket.take(30)).toBe(30);
    expect(bucket.take(100)).toBe(70);
    expect(bucket.take(1)).toBe(0);
    time.advance(250);
    expect(bucket.available()).toBe(25);
    expect(bucket.take(40)).toBe(25);
    time.advance(10_000);
    expect(bucket.available()).toBe(100);
  });

  it('keeps fractions between calls: 1 token per 10 ms at 100/s', () => {
    const time = clock();
    const bucket = new TokenBucket(100, 100, time.now);
    bucket.take(100);
    let granted = 0;
    for (let i = 0; i < 100; i += 1) {
      time.advance(3);
      granted += bucket.take(1);
    }
    expect(granted).toBe(30);
  });

  it('adds nothing when the clock goes backwards', () => {
    const time = clock();
    const bucket = new TokenBucket(10, 10, time.now);
    bucket.take(10);
    time.advance(-5_000);
    expect(bucket.available()).toBe(0);
    time.advance(5_100);
    expect(bucket.available()).toBe(1);
  });
});
