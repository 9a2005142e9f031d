import type { AlertRule, Deploy, Pin, Verdict } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import type { PinRateBucket } from '../pins/pin-counter.js';
import type { Awaitable } from '../storage/record-stores.js';

type RateAboveRule = Extract<AlertRule, { kind: 'rate-above' }>;
type VerdictWorseRule = Extract<AlertRule, { kind: 'verdict-worse' }>;

const MINUTE_MS = 60_000;
/** A pin's counts that cannot be read are logged at most this often. */
const RATE_ERROR_LOG_INTERVAL_MS = 60_000;

/**
 * A `verdict-worse` transition. `deploy` and `verdict` are the ones that caused it: the worse one
 * when firing; when resolving, the same deploy's verdict that stopped being worse, or a later
 * deploy's verdict that is not worse (then `firedFor` is the deploy the alert fired for).
 */
export interface VerdictAlert {
  status: 'firing' | 'resolved';
  rule: VerdictWorseRule;
  pin: Pin;
  deploy: Deploy;
  verdict: Verdict;
  firedFor?: Deploy;
  at: number;
}

/** A `rate-above` transition: the counts of the whole minutes looked at, oldest first, the last ending at `to`. */
export interface RateAlert {
  status: 'firing' | 'resolved';
  rule: RateAboveRule;
  pin: Pin;
  minuteCounts: number[];
  from: number;
  to: number;
  at: number;
}

export type AlertEvent = VerdictAlert | RateAlert;

export interface AlertPins {
  list(): Pin[];
  get(id: string): Pin | undefined;
}

export interface AlertEvaluatorDeps {
  pins: AlertPins;
  /** The rules of a pin that has no `alerts` of its own. */
  defaultAlerts: readonly AlertRule[];
  /** A pin's counts from the bucket holding `sinceTs` to the current one (PinCounter.rate's shape). */
  rate(pinId: string, sinceTs: number): Awaitable<PinRateBucket[]>;
  /** Told once per transition. */
  notify(event: AlertEvent): void;
  now(): number;
  logger: Logger;
}

interface WorseState {
  /** The newest deploy start seen for this pin: verdicts of older deploys never fire. */
  newestStart: number;
  firing: { deploy: Deploy } | undefined;
}

/** The rules that apply to a pin: its own, or the hub's defaults. */
function rulesOf(pin: Pin, defaults: readonly AlertRule[]): readonly AlertRule[] {
  return pin.alerts ?? defaults;
}

/**
 * The alert rules' state machines, one per pin and rule, each either firing or resolved; it tells
 * `notify` of every transition and of nothing else, so a condition that holds across many verdict
 * updates or minutes gives one message. State lives in memory: after a restart a condition that
 * still holds fires again, except a deploy whose verdict window had already ended.
 */
export class AlertEvaluator {
  private readonly worse = new Map<string, WorseState>();
  /** Key: pin id and rule; value: firing. */
  private readonly rates = new Map<string, boolean>();
  private readonly startedAt: number;
  private lastMinuteEnd: number | undefined;
  private evaluating = false;
  private readonly rateErrorLog = new LogThrottle(RATE_ERROR_LOG_INTERVAL_MS);

  constructor(private readonly deps: AlertEvaluatorDeps) {
    this.startedAt = deps.now();
  }

  /**
   * One deploy's verdicts changed. Fires when a pin's verdict on the newest deploy it has seen turns
   * `worse`; resolves when that verdict stops being worse, or when a later deploy's verdict on the
   * pin is `better`, or final and not worse (a rollback). A later deploy that is worse too keeps
   * the alert firing, now about that deploy.
   */
  onVerdicts(deploy: Deploy, verdicts: readonly Verdict[]): void {
    for (const verdict of verdicts) {
      const pin = this.deps.pins.get(verdict.pinId);
      if (!pin) continue;
      const rule = rulesOf(pin, this.deps.defaultAlerts).find((r): r is VerdictWorseRule => r.kind === 'verdict-worse');
      if (!rule) continue;
      let state = this.worse.get(pin.id);
      if (!state) {
        state = { newestStart: Number.NEGATIVE_INFINITY, firing: undefined };
        this.worse.set(pin.id, state);
      }
      const newest = deploy.startedAt >= state.newestStart;
      if (newest) state.newestStart = deploy.startedAt;
      const isWorse = verdict.verdict === 'worse';
      const firing = state.firing;
      if (firing === undefined) {
        // A window that had ended before this hub started was judged (and notified) before.
        const settledEarlier = verdict.final && verdict.windowTo <= this.startedAt;
        if (isWorse && newest && !settledEarlier) {
          state.firing = { deploy };
          this.emit({ status: 'firing', rule, pin, deploy, verdict });
        }
      } else if (firing.deploy.id === deploy.id) {
        if (!isWorse) {
          state.firing = undefined;
          this.emit({ status: 'resolved', rule, pin, deploy, verdict });
        }
      } else if (deploy.startedAt > firing.deploy.startedAt) {
        if (isWorse) {
          state.firing = { deploy };
        } else if (verdict.verdict === 'better' || verdict.final) {
          state.firing = undefined;
          this.emit({ status: 'resolved', rule, pin, deploy, verdict, firedFor: firing.deploy });
        }
      }
    }
  }

  /**
   * Looks at the last whole minute of the hub's clock, once per minute however often it is called:
   * a `rate-above` rule fires when each of its last `forMinutes` whole minutes had more than
   * `perMinute` matches, and resolves when a whole minute had no more than that.
   */
  async evaluateRates(): Promise<void> {
    const minuteEnd = Math.floor(this.deps.now() / MINUTE_MS) * MINUTE_MS;
    // Any change, so a clock stepped back does not silence the rules until it catches up.
    if (minuteEnd === this.lastMinuteEnd || this.evaluating) return;
    this.lastMinuteEnd = minuteEnd;
    this.evaluating = true;
    try {
      const pins = this.deps.pins.list();
      this.forgetDeleted(pins);
      for (const pin of pins) await this.evaluatePin(pin, minuteEnd);
    } finally {
      this.evaluating = false;
    }
  }

  private async evaluatePin(pin: Pin, minuteEnd: number): Promise<void> {
    const rules = rulesOf(pin, this.deps.defaultAlerts).filter((r): r is RateAboveRule => r.kind === 'rate-above');
    if (rules.length === 0) return;
    const longest = Math.max(...rules.map((rule) => rule.forMinutes));
    const from = minuteEnd - longest * MINUTE_MS;
    let buckets: PinRateBucket[];
    try {
      buckets = await this.deps.rate(pin.id, from);
    } catch (err) {
      this.rateErrorLog.run((suppressed) => this.deps.logger.error({ err, pinId: pin.id, suppressedSinceLast: suppressed }, 'could not read a pin\u2019s counts for its rate-above alerts'));
      return;
    }
    const minutes = new Array<number>(longest).fill(0);
    for (const bucket of buckets) {
      const index = Math.floor((bucket.ts - from) / MINUTE_MS);
      if (index >= 0 && index < longest) minutes[index]! += bucket.count;
    }
    for (const rule of rules) {
      const key = `${pin.id}\n${rule.perMinute}\n${rule.forMinutes}`;
      const firing = this.rates.get(key) ?? false;
      const recent = minutes.slice(longest - rule.forMinutes);
      const event = { rule, pin, minuteCounts: recent, from: minuteEnd - rule.forMinutes * MINUTE_MS, to: minuteEnd, at: this.deps.now() };
      if (!firing && recent.every((count) => count > rule.perMinute)) {
        this.rates.set(key, true);
        this.deps.notify({ status: 'firing', ...event });
      } else if (firing && recent.at(-1)! <= rule.perMinute) {
        this.rates.set(key, false);
        this.deps.notify({ status: 'resolved', ...event });
      }
    }
  }

  /** A deleted pin's alerts end with it, without a message. */
  private forgetDeleted(pins: readonly Pin[]): void {
    const ids = new Set(pins.map((pin) => pin.id));
    for (const id of this.worse.keys()) if (!ids.has(id)) this.worse.delete(id);
    for (const key of this.rates.keys()) if (!ids.has(key.slice(0, key.indexOf('\n')))) this.rates.delete(key);
  }

  private emit(event: Omit<VerdictAlert, 'at'>): void {
    this.deps.notify({ ...event, at: this.deps.now() });
  }
}
