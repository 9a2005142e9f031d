import { describe, expect, it } from 'vitest';
import { HubMetrics } from '../../../server/metrics.js';

async function hostSeries(metrics: HubMetrics): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => /^supergrep_agent_(lines|bytes|rate_dropped_lines)_total\{host=/.test(line));
}

describe('HubMetrics host series', () => {
  it('removes the per-host series of a host gone for longer than the retention, and keeps connected ones', async () => {
    const metrics = new HubMetrics();
    for (const host of ['gone', 'here']) {
      metrics.hostConnected(host);
      metrics.agentLines.labels(host).inc(3);
      metrics.agentBytes.labels(host).inc(30);
      metrics.agentRateDroppedLines.labels(host).inc(1);
    }
    metrics.hostDisconnected('gone', 1_000);
    metrics.pruneHostSeries(999);
    expect(await hostSeries(metrics)).toHaveLength(6);
    metrics.pruneHostSeries(1_000);
    const left = await hostSeries(metrics);
    expect(left).toHaveLength(3);
    expect(left.every((line) => line.includes('host="here"'))).toBe(true);
  });

  it('keeps a host with a second connection still open', async () => {
    const metrics = new HubMetrics();
    metrics.hostConnected('web-1');
    metrics.hostConnected('web-1');
    metrics.agentLines.labels('web-1').inc();
    metrics.hostDisconnected('web-1', 1_000);
    metrics.pruneHostSeries(5_000);
    expect(await hostSeries(metrics)).toHaveLength(1);
    metrics.hostDisconnected('web-1', 2_000);
    metrics.pruneHostSeries(5_000);
    expect(await hostSeries(metrics)).toHaveLength(0);
  });
});
