import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChartStore } from '../../../../ui/src/features/chart/chart-store.js';
import { FakeApi } from '../../helpers/fake-api.js';

const S = 1000;
const MIN = 60 * S;
const NOW = Date.UTC(2024, 4, 1, 12, 0, 5);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ChartStore', () => {
  it('loads a pin’s counts from its rate over the window, and follows them every 10 s', async () => {
    const api = new FakeApi();
    api.pinRate.mockImplementation(async (id, since) => ({ pinId: id, bucketMs: 10 * S, buckets: [{ ts: Math.floor(since / (10 * S)) * 10 * S, count: 7 }] }));
    const chart = new ChartStore(api, () => NOW);
    await chart.open({ kind: 'pin', pinId: 'p1', name: 'errors', filter: { query: 'error' }, countingSince: 0 });
    expect(api.pinRate).toHaveBeenCalledWith('p1', NOW - 60 * MIN, expect.any(AbortSignal));
    const state = chart.getSnapshot();
    expect(state.status).toBe('ready');
    expect(state.series?.stepMs).toBe(10 * S);
    expect(state.series?.buckets[0]).toEqual({ ts: NOW - 60 * MIN - 5 * S, count: 7 });

    await vi.advanceTimersByTimeAsync(10 * S);
    expect(api.pinRate).toHaveBeenCalledTimes(2);
    chart.close();
    await vi.advanceTimersByTimeAsync(30 * S);
    expect(api.pinRate).toHaveBeenCalledTimes(2);
    expect(chart.getSnapshot().target).toBeUndefined();
  });

  it('counts any filter from the history histogram, with the bar width of the window picked', async () => {
    const api = new FakeApi();
    const chart = new ChartStore(api, () => NOW);
    await chart.open({ kind: 'query', paneId: 'p1', filter: { query: 'timeout', hosts: ['web-*'] }, title: 'timeout' });
    await chart.setWindow({ kind: 'last', ms: 6 * 60 * MIN });
    expect(api.histogram).toHaveBeenLastCalledWith({ filter: { query: 'timeout', hosts: ['web-*'] }, from: NOW - 6 * 60 * MIN, to: NOW, step: MIN }, expect.any(AbortSignal));
    await chart.setWindow({ kind: 'custom', from: NOW - 10 * MIN, to: NOW - 5 * MIN });
    expect(api.histogram).toHaveBeenLastCalledWith(expect.objectContaining({ from: NOW - 10 * MIN, to: NOW - 5 * MIN, step: 10 * S }), expect.any(AbortSignal));
    expect(chart.getSnapshot()).toMatchObject({ status: 'ready', window: { kind: 'custom' } });
    // A history scan is not repeated on a timer.
    await vi.advanceTimersByTimeAsync(60 * S);
    expect(api.histogram).toHaveBeenCalledTimes(3);
  });

  it('says why the counts could not be loaded', async () => {
    const api = new FakeApi();
    api.histogram.mockRejectedValueOnce(new Error('SG_ERR_LIMIT: too many searches'));
    const chart = new ChartStore(api, () => NOW);
    await chart.open({ kind: 'query', paneId: 'p1', filter: { query: 'x' }, title: 'x' });
    expect(chart.getSnapshot()).toMatchObject({ status: 'error', error: 'SG_ERR_LIMIT: too many searches' });
  });
});
