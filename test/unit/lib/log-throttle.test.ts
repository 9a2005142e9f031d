import { describe, expect, it } from 'vitest';
import { LogThrottle } from '../../../lib/log-throttle.js';

describe('LogThrottle', () => {
  it('logs the first occurrence, then at most once per interval with the count it skipped', () => {
    let clock = 1_000;
    const throttle = new LogThrottle(60_000, () => clock);
    const logged: number[] = [];
    const occur = () => throttle.run((suppressed) => logged.push(suppressed));
    occur();
    clock += 1_000;
    occur();
    occur();
    clock += 58_999;
    occur();
    expect(logged).toEqual([0]);
    clock += 1;
    occur();
    expect(logged).toEqual([0, 3]);
    clock += 60_000;
    occur();
    expect(logged).toEqual([0, 3, 0]);
  });
});
