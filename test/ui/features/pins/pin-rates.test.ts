import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PinRate } from '../../../../protocol/index.js';
import { PinRates, merge } from '../../../../ui/src/features/pins/pin-rates.js';
import { FakeApi } from '../../helpers/fake-api.js';

const S = 1000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 4, 1, 12, 0, 4); // 4 s into a 10 s bucket

/** What the hub answers for `since`: one bucket per 10 s from the bucket holding `since` to the one holding `now`. */
function hubAnswer(pinId: string, since: number, now: number, count: (ts: number) => number = () => 1): PinRate {
  const buckets = [];
  for (let ts = Math.floor(since / 10_000) * 10_000; ts <= now; ts += 10_000) buckets.push({ ts, count: count(ts) });
  return { pinId, bucketMs: 10_000, buckets };
}

let clock: number;
let api: FakeApi;
let deployAt: number | undefined;

function makeRates() {
  return new PinRates({ api, now: () => clock, lastDeployAt: (at) => (deployAt !== undefined && deployAt <= at ? deployAt : undefined), isHidden: () => false });
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  clock = NOW;
  deployAt = undefined;
  api = new FakeApi();
  api.pinRate.mockImplementation(async (id: string, since: number) => hubAnswer(id, since, clock));
});
afterEach(() => vi.useRealTimers());

describe('PinRates', () => {
  it('fetches the graph window once, then only the bucket that was filling and the ones since', async () => {
    const rates = makeRates();
    rates.track(['a']);
    await vi.waitFor(() => expect(rates.getSnapshot().get('a')?.series).toBeDefined());
    // Twice the window back from now (a margin, so a slowly moving need does not refetch everything).
    expect(api.pinRate.mock.calls[0]!.slice(0, 2)).toEqual(['a', NOW - 2 * HOUR]);
    const first = rates.getSnapshot().get('a')!.series!;
    expect(first.currentTs).toBe(NOW - 4 * S);
    expect(first.countedTo).toBe(NOW);
    expect(first.buckets).toHaveLength(721);

    clock = NOW + 25 * S;
    await rates.refresh();
    expect(api.pinRate.mock.calls[1]!.slice(0, 2)).toEqual(['a', NOW - 4 * S]);
    const second = rates.getSnapshot().get('a')!.series!;
    expect(second.currentTs).toBe(NOW + 16 * S);
    expect(second.countedTo).toBe(clock);
    // Contiguous, no bucket twice, and the ones older than the margin dropped: still two hours' worth.
    const steps = second.buckets.slice(1).map((bucket, i) => bucket.ts - second.buckets[i]!.ts);
    expect(new Set(steps)).toEqual(new Set([10_000]));
    expect(second.buckets[0]!.ts).toBe(Math.floor((clock - 2 * HOUR) / 10_000) * 10_000);
    expect(second.buckets).toHaveLength(721);
  });

  it('goes back far enough to compare with the span before the last deploy, doubling the reach when it grows', async () => {
    deployAt = NOW - 50 * 60 * S; // 50 min ago: "before" starts 100 min ago, beyond the 1 h graph
    const rates = makeRates();
    rates.track(['a']);
    await vi.waitFor(() => expect(rates.getSnapshot().get('a')?.series).toBeDefined());
    expect(api.pinRate.mock.calls[0]![1]).toBe(NOW - 200 * 60 * S);

    // 60 min later the need (170 min back) is still within what is held: incremental.
    clock = NOW + 60 * 60 * S;
    await rates.refresh();
    expect(api.pinRate.mock.calls[1]![1]).toBe(NOW - 4 * S);
    // Once it is not, one full fetch twice as far back.
    clock = NOW + 120 * 60 * S;
    await rates.refresh();
    const need = deployAt - (clock - deployAt);
    expect(api.pinRate.mock.calls[2]![1]).toBe(clock - 2 * (clock - need));
  });

  it('does not ask again for counts the hub said it no longer keeps', async () => {
    deployAt = NOW - 20 * HOUR; // "before" would reach 40 h back; the hub keeps 24 h
    api.pinRate.mockImplementation(async (id: string, since: number) => hubAnswer(id, Math.max(since, clock - 24 * HOUR), clock));
    const rates = makeRates();
    rates.track(['a']);
    await vi.waitFor(() => expect(rates.getSnapshot().get('a')?.series?.truncated).toBe(true));
    clock += 10 * S;
    await rates.refresh();
    clock += 10 * S;
    await rates.refresh();
    expect(api.pinRate.mock.calls.map((call) => call[1])).toEqual([NOW - 80 * HOUR, NOW - 4 * S, NOW + 6 * S]);
  });

  it('keeps the last series and says why when a refresh fails', async () => {
    const rates = makeRates();
    rates.track(['a']);
    await vi.waitFor(() => expect(rates.getSnapshot().get('a')?.series).toBeDefined());
    const held = rates.getSnapshot().get('a')!.series;
    api.pinRate.mockRejectedValueOnce(new Error('the hub answered 503'));
    clock += 10 * S;
    await rates.refresh();
    expect(rates.getSnapshot().get('a')).toEqual({ series: held, error: 'the hub answered 503' });
    clock += 10 * S;
    await rates.refresh();
    expect(rates.getSnapshot().get('a')!.error).toBeUndefined();
  });

  it('commits a whole round at once, forgets untracked pins, and refetches everything after reset()', async () => {
    const rates = makeRates();
    const commits = vi.fn();
    rates.subscribe(commits);
    rates.track(['a', 'b', 'c', 'd', 'e', 'f']);
    await vi.waitFor(() => expect(rates.getSnapshot().size).toBe(6));
    expect(commits).toHaveBeenCalledTimes(1);

    rates.track(['a', 'f']);
    expect([...rates.getSnapshot().keys()]).toEqual(['a', 'f']);
    api.pinRate.mockClear();
    clock += 10 * S;
    await rates.refresh();
    expect(api.pinRate.mock.calls.map((call) => [call[0], call[1]])).toEqual([
      ['a', NOW - 4 * S],
      ['f', NOW - 4 * S],
    ]);

    api.pinRate.mockClear();
    rates.reset();
    await vi.waitFor(() => expect(api.pinRate).toHaveBeenCalledTimes(2));
    expect(api.pinRate.mock.calls.map((call) => call[1])).toEqual([clock - 2 * HOUR, clock - 2 * HOUR]);
  });

  it('refreshes on its timer only while the page is visible', async () => {
    let hidden = true;
    const rates = new PinRates({ api, now: () => clock, lastDeployAt: () => undefined, isHidden: () => hidden, refreshMs: 10_000 });
    rates.track(['a']);
    await vi.waitFor(() => expect(api.pinRate).toHaveBeenCalledTimes(1));
    rates.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.pinRate).toHaveBeenCalledTimes(1);
    hidden = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.pinRate).toHaveBeenCalledTimes(2);
    rates.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.pinRate).toHaveBeenCalledTimes(2);
  });
});

describe('merge', () => {
  it('estimates the hub clock within its current bucket from the client clock, however far off that is', () => {
    const answer: PinRate = { pinId: 'a', bucketMs: 10_000, buckets: [{ ts: 100_000, count: 1 }] };
    expect(merge(undefined, answer, 100_000, 104_000, 0)?.countedTo).toBe(104_000);
    expect(merge(undefined, answer, 100_000, 50_000, 0)?.countedTo).toBe(100_000);
    expect(merge(undefined, answer, 100_000, 500_000, 0)?.countedTo).toBe(109_999);
    expect(merge(undefined, { ...answer, buckets: [] }, 100_000, 104_000, 0)).toBeUndefined();
  });
});
