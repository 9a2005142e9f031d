import { describe, expect, it } from 'vitest';
import { TAIL_CHECK_BYTES, TailGuard } from '../../../../agent/tailing/tail-guard.js';

describe('TailGuard', () => {
  it('expects the last bytes read before an offset, up to TAIL_CHECK_BYTES of them', () => {
    const guard = new TailGuard();
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => `line ${i}\n`).join(''));
    expect(bytes.length).toBeGreaterThan(TAIL_CHECK_BYTES);
    guard.remember(bytes, bytes.length, 1000);
    expect(guard.expectedBefore(1000, true)).toEqual(bytes.subarray(-TAIL_CHECK_BYTES));
    guard.remember(bytes, 20, 20);
    expect(guard.expectedBefore(20, true)).toEqual(bytes.subarray(0, 20));
  });

  it('falls back to a newline at a line boundary, and to nothing inside a line', () => {
    const guard = new TailGuard();
    expect(guard.expectedBefore(10, true).toString()).toBe('\n');
    expect(guard.expectedBefore(10, false)).toHaveLength(0);
    expect(guard.expectedBefore(0, true)).toHaveLength(0);
  });

  it('only vouches for the offset it was remembered at, until forgotten', () => {
    const guard = new TailGuard();
    guard.remember(Buffer.from('abc\n'), 4, 4);
    expect(guard.expectedBefore(4, true).toString()).toBe('abc\n');
    expect(guard.expectedBefore(8, true).toString()).toBe('\n');
    guard.forget();
    expect(guard.expectedBefore(4, true).toString()).toBe('\n');
  });
});
