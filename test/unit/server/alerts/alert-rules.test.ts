import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../lib/logger.js';
import type { AlertRule, Deploy, Pin, Verdict, VerdictKind } from '../../../../protocol/index.js';
import { AlertEvaluator, type AlertEvent } from '../../../../server/alerts/alert-rules.js';
import type { PinRateBucket } from '../../../../server/pins/pin-counter.js';

const MINUTE = 60_000;
/** A whole minute. */
const T0 = 1_764_190_020_000;

function pin(id: string, alerts?: AlertRule[]): Pin {
  return { id, name: `pin ${id}`, query: 'ERROR', createdAt: T0 - 120 * MINUTE, ...(alerts ? { alerts } : {}) };
}

function deploy(id: string, startedAt: number): Deploy {
  return { id, label: `release ${id}`, startedAt, createdAt: startedAt };
}

function verdict(d: Deploy, pinId: string, kind: VerdictKind, final = false): Verdict {
  return {
    deployId: d.id,
    pinId,
    pinName: `pin ${pinId}`,
    verdict: kind,
    final,
    windowFrom: d.startedAt,
    windowTo: d.startedAt + 10 * MINUTE,
    windowElapsedMs: 5 * MINUTE,
    windowCount: 50,
    baselineFrom: d.startedAt - 60 * MINUTE,
    baselineTo: d.startedAt,
    baselineCoveredMs: 60 * MINUTE,
    baselineCount: 30,
    ratio: 10,
    pValue: 1e-6,
    updatedAt: d.startedAt,
  };
}

/** An evaluator over fixed pins, a settable clock and per-pin 10 s buckets. */
function setup(pins: Pin[], defaults: AlertRule[] = []) {
  const events: AlertEvent[] = [];
  const counts = new Map<string, Map<number, number>>();
  const clock = { now: T0 };
  const evaluator = new AlertEvaluator({
    pins: { list: () => pins, get: (id) => pins.find((p) => p.id === id) },
    defaultAlerts: defaults,
    rate: (pinId: string, since: number): PinRateBucket[] => {
      const out: PinRateBucket[] = [];
      const first = Math.floor(since / 10_000) * 10_000;
      for (let ts = first; ts <= clock.now; ts += 10_000) out.push({ ts, count: counts.get(pinId)?.get(ts) ?? 0 });
      return out;
    },
    notify: (event) => events.push(event),
    now: () => clock.now,
    logger: silentLogger(),
  });
  /** Spreads `perMinute` matches over the 6 buckets of the minute starting at `minuteStart`. */
  const fillMinute = (pinId: string, minuteStart: number, perMinute: number) => {
    const buckets = counts.get(pinId) ?? new Map<number, number>();
    counts.set(pinId, buckets);
    for (let i = 0; i < 6; i += 1) buckets.set(minuteStart + i * 10_000, Math.floor(perMinute / 6) + (i < perMinute % 6 ? 1 : 0));
  };
  return { evaluator, events, clock, fillMinute };
}

const summary = (events: AlertEvent[]) => events.map((e) => `${e.status} ${e.pin.id} ${e.rule.kind}` + ('deploy' in e ? ` ${e.deploy.id}` : ''));

describe('verdict-worse', () => {
  it('fires once when a verdict turns worse, however many updates repeat it, and resolves once when it stops', () => {
    const { evaluator, events, clock } = setup([pin('a', [{ kind: 'verdict-worse' }])]);
    const d = deploy('d1', T0);
    clock.now = T0 + MINUTE;
    evaluator.onVerdicts(d, [verdict(d, 'a', 'too-few')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'unchanged')]);
    expect(events).toEqual([]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse', true)]);
    expect(summary(events)).toEqual(['firing a verdict-worse d1']);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'unchanged')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'unchanged')]);
    expect(summary(events)).toEqual(['firing a verdict-worse d1', 'resolved a verdict-worse d1']);
    // A new transition is a new message.
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse')]);
    expect(summary(events)).toHaveLength(3);
  });

  it('resolves on a later deploy that is better (a rollback), and the old deploy\u2019s updates do not fire again', () => {
    const { evaluator, events } = setup([pin('a', [{ kind: 'verdict-worse' }])]);
    const bad = deploy('bad', T0);
    const rollback = deploy('rollback', T0 + 5 * MINUTE);
    evaluator.onVerdicts(bad, [verdict(bad, 'a', 'worse')]);
    // Not yet a judgement: the rollback's window has barely started.
    evaluator.onVerdicts(rollback, [verdict(rollback, 'a', 'unchanged')]);
    expect(summary(events)).toEqual(['firing a verdict-worse bad']);
    evaluator.onVerdicts(rollback, [verdict(rollback, 'a', 'better')]);
    expect(summary(events)).toEqual(['firing a verdict-worse bad', 'resolved a verdict-worse rollback']);
    expect(events[1]).toMatchObject({ firedFor: { id: 'bad' } });
    evaluator.onVerdicts(bad, [verdict(bad, 'a', 'worse', true)]);
    evaluator.onVerdicts(rollback, [verdict(rollback, 'a', 'unchanged', true)]);
    expect(events).toHaveLength(2);
  });

  it('resolves on a later deploy\u2019s final verdict that is not worse; a later worse deploy keeps it firing without a repeat', () => {
    const { evaluator, events } = setup([pin('a', [{ kind: 'verdict-worse' }])]);
    const first = deploy('first', T0);
    const second = deploy('second', T0 + 5 * MINUTE);
    const third = deploy('third', T0 + 10 * MINUTE);
    evaluator.onVerdicts(first, [verdict(first, 'a', 'worse')]);
    evaluator.onVerdicts(second, [verdict(second, 'a', 'worse')]);
    // The alert is now about `second`: `first` recovering changes nothing.
    evaluator.onVerdicts(first, [verdict(first, 'a', 'unchanged', true)]);
    expect(summary(events)).toEqual(['firing a verdict-worse first']);
    evaluator.onVerdicts(third, [verdict(third, 'a', 'too-few', true)]);
    expect(summary(events)).toEqual(['firing a verdict-worse first', 'resolved a verdict-worse third']);
    expect(events[1]).toMatchObject({ firedFor: { id: 'second' } });
  });

  it('applies the default rules to a pin without its own, and none to a pin with an empty list', () => {
    const { evaluator, events } = setup([pin('a'), pin('b', []), pin('c', [{ kind: 'rate-above', perMinute: 1, forMinutes: 1 }])], [{ kind: 'verdict-worse' }]);
    const d = deploy('d', T0);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse'), verdict(d, 'b', 'worse'), verdict(d, 'c', 'worse'), verdict(d, 'gone', 'worse')]);
    expect(summary(events)).toEqual(['firing a verdict-worse d']);
  });

  it('keeps each pin\u2019s state apart', () => {
    const rules: AlertRule[] = [{ kind: 'verdict-worse' }];
    const { evaluator, events } = setup([pin('a', rules), pin('b', rules)]);
    const d = deploy('d', T0);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse'), verdict(d, 'b', 'unchanged')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'worse'), verdict(d, 'b', 'worse')]);
    evaluator.onVerdicts(d, [verdict(d, 'a', 'better'), verdict(d, 'b', 'worse')]);
    expect(summary(events)).toEqual(['firing a verdict-worse d', 'firing b verdict-worse d', 'resolved a verdict-worse d']);
  });

  it('does not fire for a deploy whose window had ended before the evaluator started (judged before a restart)', () => {
    const { evaluator, events } = setup([pin('a', [{ kind: 'verdict-worse' }])]);
    const old = deploy('old', T0 - 30 * MINUTE);
    evaluator.onVerdicts(old, [verdict(old, 'a', 'worse', true)]);
    expect(events).toEqual([]);
    const current = deploy('current', T0 - 2 * MINUTE);
    evaluator.onVerdicts(current, [verdict(current, 'a', 'worse')]);
    expect(summary(events)).toEqual(['firing a verdict-worse current']);
  });
});

describe('rate-above', () => {
  const rule: AlertRule = { kind: 'rate-above', perMinute: 10, forMinutes: 3 };

  it('fires when each of the last forMinutes whole minutes is above the threshold, once, and resolves when a minute falls to it', async () => {
    const { evaluator, events, clock, fillMinute } = setup([pin('a', [rule])]);
    // Minutes starting at T0, T0+1m, ...: 11, 20, 10 (not above), 11, 11, 11, 50, 10.
    [11, 20, 10, 11, 11, 11, 50, 10].forEach((count, i) => fillMinute('a', T0 + i * MINUTE, count));
    const at = async (minutesAfterT0: number) => {
      // Anywhere inside the next minute: the minute ending at T0 + minutesAfterT0 is the last whole one.
      clock.now = T0 + minutesAfterT0 * MINUTE + 25_000;
      await evaluator.evaluateRates();
    };
    await at(2);
    await at(3);
    await at(4);
    await at(5);
    expect(events).toEqual([]);
    await at(6);
    expect(summary(events)).toEqual(['firing a rate-above']);
    expect(events[0]).toMatchObject({ minuteCounts: [11, 11, 11], from: T0 + 3 * MINUTE, to: T0 + 6 * MINUTE });
    // Evaluated again within the same minute, and at the next (still above): no repeat.
    await evaluator.evaluateRates();
    await at(7);
    expect(events).toHaveLength(1);
    await at(8);
    expect(summary(events)).toEqual(['firing a rate-above', 'resolved a rate-above']);
    expect(events[1]).toMatchObject({ minuteCounts: [11, 50, 10] });
    await at(9);
    expect(events).toHaveLength(2);
  });

  it('counts only whole minutes: the minute in progress is not looked at', async () => {
    const { evaluator, events, clock, fillMinute } = setup([pin('a', [{ kind: 'rate-above', perMinute: 5, forMinutes: 1 }])]);
    fillMinute('a', T0, 100);
    clock.now = T0 + 59_000;
    await evaluator.evaluateRates();
    expect(events).toEqual([]);
    clock.now = T0 + MINUTE;
    await evaluator.evaluateRates();
    expect(summary(events)).toEqual(['firing a rate-above']);
  });

  it('forgets a deleted pin\u2019s state without a message', async () => {
    const pins = [pin('a', [{ kind: 'rate-above', perMinute: 5, forMinutes: 1 }])];
    const { evaluator, events, clock, fillMinute } = setup(pins);
    fillMinute('a', T0, 100);
    clock.now = T0 + MINUTE;
    await evaluator.evaluateRates();
    pins.pop();
    clock.now = T0 + 2 * MINUTE;
    await evaluator.evaluateRates();
    expect(summary(events)).toEqual(['firing a rate-above']);
  });
});
