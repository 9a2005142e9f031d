import { render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PinRates } from '../../../../ui/src/features/pins/pin-rates.js';
import { PinsBar } from '../../../../ui/src/features/pins/pins-bar.js';
import type { PinSeries } from '../../../../ui/src/features/pins/rate-math.js';
import { deploy, FakeApi, pin } from '../../helpers/fake-api.js';

const S = 1000;
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
// Ten 10 s buckets of 2 from T0 - 60 s; the pin was created at T0 (pinned at deploy time).
const series: PinSeries = {
  bucketMs: 10 * S,
  buckets: Array.from({ length: 10 }, (_, i) => ({ ts: T0 - 60 * S + i * 10 * S, count: 2 })),
  currentTs: T0 + 30 * S,
  countedTo: T0 + 35 * S,
  truncated: false,
};

function bar(overrides: Parameters<typeof pin>[1]) {
  const shown = pin('checkout errors', { createdAt: T0, ...overrides });
  return render(
    <PinsBar
      state={{ status: 'ready', pins: [shown], error: undefined }}
      rates={new Map([[shown.id, { series, error: undefined }]])}
      deploys={[deploy('web v2', T0)]}
      verdicts={{ byDeploy: new Map(), alpha: undefined, error: undefined }}
      windowMs={60 * 60 * S}
      openPinIds={new Set()}
      canEdit={true}
      now={T0 + 35 * S}
      onOpen={() => {}}
      onChart={() => {}}
      onDelete={async () => {}}
      onRetry={() => {}}
    />,
  );
}

afterEach(() => vi.useRealTimers());

describe('a pin whose past the hub fills from history', () => {
  it('shows "loading history…" on its graph and for the "before" figure while the hub backfills', () => {
    const { container } = bar({ backfilling: true });
    const graph = container.querySelector('svg.sparkline')!;
    expect(graph.classList.contains('sparkline--loading')).toBe(true);
    expect(graph.querySelector('.sparkline__loading')?.textContent).toBe('loading history…');
    expect(graph.getAttribute('aria-label')).toMatch(/loading history…$/);
    expect(container.querySelector('.since-deploy__before')?.textContent).toBe('(before: loading history…)');
  });

  it('once backfilled, draws the counts from where history begins and compares with the span before the deploy', () => {
    const { container } = bar({ countedFrom: T0 - 60 * S });
    const graph = container.querySelector('svg.sparkline')!;
    expect(graph.classList.contains('sparkline--loading')).toBe(false);
    expect(container.textContent).not.toContain('loading history');
    // 35 s since the deploy against the 35 s before it, which only history could count.
    expect(container.querySelector('.since-deploy__before')?.textContent).toBe('(before: 7)');
  });

  it('without history, the pin counts from its creation: no "before" figure and no loading state', () => {
    const { container } = bar({});
    expect(container.querySelector('.sparkline__loading')).toBeNull();
    expect(container.querySelector('.since-deploy__before')?.textContent).toBe('(before: —)');
  });

  it('fetches the whole window again when told the pin\u2019s past changed', async () => {
    vi.useFakeTimers({ now: T0 });
    const api = new FakeApi();
    api.pinRate.mockImplementation(async (id: string, since: number) => {
      const buckets = [];
      for (let ts = Math.floor(since / 10_000) * 10_000; ts <= T0; ts += 10_000) buckets.push({ ts, count: 0 });
      return { pinId: id, bucketMs: 10_000, buckets };
    });
    const rates = new PinRates({ api, now: () => T0, lastDeployAt: () => undefined, isHidden: () => false });
    rates.track(['p']);
    await vi.waitFor(() => expect(api.pinRate).toHaveBeenCalledTimes(1));
    await rates.refresh();
    expect(api.pinRate.mock.calls[1]![1]).toBe(T0); // incremental: from the bucket that was filling
    rates.invalidate('p');
    await vi.waitFor(() => expect(api.pinRate).toHaveBeenCalledTimes(3));
    expect(api.pinRate.mock.calls[2]![1]).toBe(T0 - 2 * 60 * 60 * S); // the whole window, again
  });
});
