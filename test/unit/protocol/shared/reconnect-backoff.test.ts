import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from '../../../../protocol/shared/reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles from base up to the cap when jitter picks the top of the range', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, capMs: 1_000, minMs: 10, random: () => 0.999_999 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('never waits less than minMs when jitter picks zero', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, capMs: 1_000, minMs: 25, random: () => 0 });
    expect(Array.from({ length: 4 }, () => backoff.next())).toEqual([25, 25, 25, 25]);
  });

  it('spreads delays uniformly below the ceiling (full jitter)', () => {
    const values = [0.1, 0.5, 0.9];
    let call = 0;
    const backoff = new ReconnectBackoff({ baseMs: 1_000, capMs: 1_000, minMs: 0, random: () => values[call++ % values.length] as number });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 500, 900]);
  });

  it('counts failures and starts over after reset', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, capMs: 10_000, minMs: 0, random: () => 0.5 });
    backoff.next();
    backoff.next();
    expect(backoff.failures).toBe(2);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(50);
  });

  it('stays at the cap however many times it fails', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, capMs: 15_000, minMs: 0, random: () => 0.999_999 });
    let last = 0;
    for (let attempt = 0; attempt < 200; attempt += 1) last = backoff.next();
    expect(last).toBe(14_999);
    expect(Number.isFinite(last)).toBe(true);
  });
});
