import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../../lib/logger.js';
import type { Deploy, Pin, Verdict, VerdictsEvent } from '../../../../protocol/index.js';
import { ApiFailure } from '../../../../server/api/api-failure.js';
import type { PinRateBucket } from '../../../../server/pins/pin-counter.js';
import { VerdictBoard } from '../../../../server/verdicts/verdict-board.js';

const MINUTE = 60_000;
const BUCKET = 10_000;
const T0 = 1_764_000_000_000;
const bucketOf = (ts: number) => Math.floor(ts / BUCKET) * BUCKET;

/** A hub's stores, counter and viewers, in memory, on a clock the test moves. */
class World {
  now = T0;
  readonly deploys: Deploy[] = [];
  readonly pins: Pin[] = [];
  readonly counts = new Map<string, Map<number, number>>();
  readonly sent: VerdictsEvent[] = [];
  readonly board: VerdictBoard;

  constructor() {
    const counts = this.counts;
    const sorted = () => [...this.deploys].sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    this.board = new VerdictBoard({
      deploys: {
        list: (since = 0) => sorted().filter((deploy) => deploy.startedAt >= since),
        get: (id) => this.deploys.find((deploy) => deploy.id === id),
        nextAfter: (ts) => sorted().find((deploy) => deploy.startedAt > ts),
      },
      pins: { list: () => [...this.pins] },
      counter: {
        bucketMs: BUCKET,
        rate: (pinId, since) => {
          const out: PinRateBucket[] = [];
          for (let ts = bucketOf(since); ts <= bucketOf(this.now); ts += BUCKET) out.push({ ts, count: counts.get(pinId)?.get(ts) ?? 0 });
          return Promise.resolve(out);
        },
      },
      settings: { windowMs: 10 * MINUTE, baselineMs: 60 * MINUTE, alpha: 0.01 },
      retentionMs: 24 * 60 * MINUTE,
      broadcast: (event) => this.sent.push(event),
      logger: silentLogger(),
      now: () => this.now,
    });
  }

  addPin(name: string, createdAt: number): Pin {
    const pin: Pin = { id: `pin-${name}`, name, query: name, createdAt };
    this.pins.push(pin);
    return pin;
  }

  addDeploy(id: string, startedAt: number, extra: Partial<Deploy> = {}): Deploy {
    const deploy: Deploy = { id, label: id, startedAt, createdAt: startedAt, ...extra };
    this.deploys.push(deploy);
    return deploy;
  }

  count(pin: Pin, at: number, matches: number): void {
    let buckets = this.counts.get(pin.id);
    if (!buckets) this.counts.set(pin.id, (buckets = new Map()));
    buckets.set(bucketOf(at), (buckets.get(bucketOf(at)) ?? 0) + matches);
  }

  /** Waits for the n-th verdicts message (1-based). */
  async message(n: number): Promise<VerdictsEvent> {
    await vi.waitFor(() => expect(this.sent.length).toBeGreaterThanOrEqual(n));
    return this.sent[n - 1]!;
  }
}

const worlds: World[] = [];
function world(): World {
  const made = new World();
  worlds.push(made);
  return made;
}

afterEach(() => {
  for (const made of worlds.splice(0)) made.board.close();
  vi.useRealTimers();
});

/** An hour of one match a minute before `d`. */
function steadyHour(w: World, pin: Pin, d: number): void {
  for (let minute = 1; minute <= 60; minute += 1) w.count(pin, d - minute * MINUTE, 1);
}

describe('VerdictBoard', () => {
  it('loads the deploys whose window is open at start, tells their verdicts, and leaves the others', async () => {
    const w = world();
    const pin = w.addPin('errors', T0 - 3 * 60 * MINUTE);
    w.addDeploy('old', T0 - 30 * MINUTE);
    w.addDeploy('live', T0 - 2 * MINUTE);
    steadyHour(w, pin, T0 - 2 * MINUTE);
    const told: Array<[string, Verdict[]]> = [];
    w.board.onChange((deploy, verdicts) => told.push([deploy.id, verdicts]));
    w.board.start();
    const first = await w.message(1);
    expect(first).toMatchObject({ type: 'verdicts', deployId: 'live' });
    expect(first.verdicts).toEqual([expect.objectContaining({ pinId: pin.id, pinName: 'errors', verdict: 'too-few', final: false, baselineCount: 60, windowCount: 0 })]);
    expect(told).toEqual([['live', first.verdicts]]);
    expect(w.sent).toHaveLength(1);
  });

  it('tells a change only when there is one, and a new deploy at once', async () => {
    const w = world();
    const pin = w.addPin('errors', T0 - 3 * 60 * MINUTE);
    const d = T0 - MINUTE;
    steadyHour(w, pin, d);
    w.addDeploy('web-1', d);
    w.board.start();
    await w.message(1);
    // Nothing changed: no message; then a change, whose message is the next one.
    w.board.observe({ type: 'pin', action: 'updated', pin });
    w.count(pin, T0 - 1, 30);
    w.board.observe({ type: 'pin', action: 'updated', pin });
    const second = await w.message(2);
    expect(second.verdicts[0]).toMatchObject({ verdict: 'worse', windowCount: 30 });
    expect(w.sent).toHaveLength(2);

    // A deploy created now: its verdicts come at once, before any tick; it cuts the first one's window.
    w.board.observe({ type: 'deploy', deploy: w.addDeploy('web-2', T0) });
    await vi.waitFor(() => expect(w.sent.map((m) => m.deployId)).toContain('web-2'));
    const cut = w.sent.find((m) => m.deployId === 'web-1' && m.verdicts[0]!.final);
    expect(cut?.verdicts[0]).toMatchObject({ windowTo: T0, final: true, verdict: 'worse' });
    expect(w.sent.find((m) => m.deployId === 'web-2')!.verdicts[0]).toMatchObject({ windowFrom: T0, final: false, windowElapsedMs: 0, verdict: 'too-few' });
  });

  it('recomputes after each bucket, says final once the window ends, then lets the deploy go', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const w = world();
    const pin = w.addPin('errors', T0 - 3 * 60 * MINUTE);
    steadyHour(w, pin, T0);
    w.addDeploy('web-1', T0);
    const told: string[] = [];
    const unsubscribe = w.board.onChange((deploy) => told.push(deploy.id));
    w.board.start();
    await w.message(1);
    w.count(pin, T0 + 5 * MINUTE, 10);
    w.now = T0 + 10 * MINUTE + 1;
    await vi.advanceTimersByTimeAsync(BUCKET + 100);
    const last = await w.message(2);
    expect(last.verdicts[0]).toMatchObject({ final: true, verdict: 'unchanged', windowCount: 10, windowElapsedMs: 10 * MINUTE });
    expect(told).toEqual(['web-1', 'web-1']);
    unsubscribe();
    // Gone from the board: nothing more is told, even on events.
    w.count(pin, T0 + 5 * MINUTE, 100);
    w.board.observe({ type: 'pin', action: 'updated', pin });
    await vi.advanceTimersByTimeAsync(3 * BUCKET);
    w.board.observe({ type: 'deploy', deploy: w.addDeploy('web-2', w.now) });
    await vi.waitFor(() => expect(w.sent.at(-1)!.deployId).toBe('web-2'));
    expect(w.sent.map((m) => m.deployId)).toEqual(['web-1', 'web-1', 'web-2']);
    expect(told).toEqual(['web-1', 'web-1']);
  });

  it('answers for any deploy within the counts kept, and refuses an older one', async () => {
    const w = world();
    const pin = w.addPin('errors', T0 - 30 * 60 * MINUTE);
    const d = T0 - 5 * 60 * MINUTE;
    steadyHour(w, pin, d);
    w.count(pin, d + 5 * MINUTE, 100);
    w.addDeploy('earlier', d);
    w.addDeploy('ancient', T0 - 25 * 60 * MINUTE);
    w.board.start();
    const answer = await w.board.deployVerdicts('earlier');
    expect(answer).toMatchObject({ deploy: { id: 'earlier' }, alpha: 0.01 });
    expect(answer!.verdicts).toEqual([expect.objectContaining({ verdict: 'worse', final: true, windowCount: 100, baselineCount: 60, baselineCoveredMs: 60 * MINUTE })]);
    expect(await w.board.deployVerdicts('nope')).toBeUndefined();
    await expect(w.board.deployVerdicts('ancient')).rejects.toThrow(ApiFailure);
    await expect(w.board.deployVerdicts('ancient')).rejects.toMatchObject({ status: 404, code: 'SG_ERR_NOT_FOUND' });
    // Not on the board (its window ended long ago): never broadcast.
    expect(w.sent).toEqual([]);
  });

  it('reduces the baseline to what the pin counts, from where its counts begin', async () => {
    const w = world();
    const pin = { ...w.addPin('new', T0 - 20 * MINUTE), countedFrom: T0 - 25 * MINUTE };
    w.pins[0] = pin;
    w.addDeploy('web', T0 - 5 * MINUTE);
    const answer = await w.board.deployVerdicts('web');
    expect(answer!.verdicts[0]).toMatchObject({ baselineCoveredMs: 20 * MINUTE, baselineFrom: T0 - 65 * MINUTE, windowElapsedMs: 5 * MINUTE });
  });
});
