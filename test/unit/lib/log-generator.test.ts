import { describe, expect, it } from 'vitest';
import { LogGenerator } from '../../../lib/log-generator.js';
import { seededRandom } from '../../../lib/seeded-random.js';

describe('log generator', () => {
  it('is repeatable for a seed', () => {
    const now = new Date(Date.UTC(2026, 0, 1));
    const a = new LogGenerator('web-1', 7);
    const b = new LogGenerator('web-1', 7);
    for (let i = 0; i < 50; i += 1) expect(a.accessLine(now)).toBe(b.accessLine(now));
  });

  it('writes 5xx access lines at about the error rate', () => {
    const generator = new LogGenerator('web-1', 3, 0.01);
    const now = new Date();
    let errors = 0;
    for (let i = 0; i < 20_000; i += 1) if (/status=5\d\d/.test(generator.accessLine(now))) errors += 1;
    expect(errors).toBeGreaterThan(120);
    expect(errors).toBeLessThan(280);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i += 1) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
