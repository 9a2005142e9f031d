import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { canaryLine, formatReport } from '../../../cli/canary-runner.js';
import type { CanaryReport } from '../../../cli/canary-tracker.js';

const report: CanaryReport = { written: 100, received: 99, lost: 1, late: 0, duplicates: 2, reordered: 3, unexpected: 0, pending: 4, latencyMs: { p50: 21.44, p99: 48.61, max: 51 } };
const extra = { time: new Date('2026-11-27T10:00:10.002Z'), intervalMs: 10_001, connected: true, hubDropped: 5 };

describe('canary output', () => {
  it('writes lines its own subscription matches, and no other run\u2019s', () => {
    const line = canaryLine('0a1b2c3d', 42, new Date('2026-11-27T10:00:00Z'));
    expect(line).toBe('supergrep-canary run=0a1b2c3d seq=42 time=2026-11-27T10:00:00.000Z');
    const query = new RE2('^supergrep-canary run=0a1b2c3d seq=\\d+ ');
    expect(query.test(line)).toBe(true);
    expect(query.test(canaryLine('ffffffff', 42, new Date()))).toBe(false);
  });

  it('prints one key=value line per interval', () => {
    expect(formatReport(report, extra, false)).toBe(
      '2026-11-27T10:00:10.002Z written=100 received=99 lost=1 late=0 duplicates=2 reordered=3 unexpected=0 pending=4 latency_ms p50=21.4 p99=48.6 max=51 hub_dropped=5 connected=true',
    );
    expect(formatReport({ ...report, latencyMs: undefined }, extra, false)).toContain(' latency_ms none ');
  });

  it('prints one JSON object per interval with --json', () => {
    expect(JSON.parse(formatReport(report, extra, true))).toEqual({
      time: '2026-11-27T10:00:10.002Z',
      intervalMs: 10_001,
      ...report,
      connected: true,
      hubDropped: 5,
    });
    expect(JSON.parse(formatReport({ ...report, latencyMs: undefined }, extra, true)).latencyMs).toBeNull();
  });
});
