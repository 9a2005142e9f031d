import type { AlertRule } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { HubMetrics } from '../metrics.js';
import type { PinRateBucket } from '../pins/pin-counter.js';
import type { Awaitable } from '../storage/record-stores.js';
import { buildNotification } from './alert-message.js';
import { AlertEvaluator, type AlertEvent, type AlertPins } from './alert-rules.js';
import type { VerdictFeed } from './verdict-feed.js';
import { WebhookSender, type WebhookTarget } from './webhook-sender.js';

/** How often the clock is looked at for a new whole minute (rate-above rules are judged once a minute). */
const RATE_TICK_MS = 1_000;

export interface AlertsDeps {
  webhooks: readonly WebhookTarget[];
  defaultAlerts: readonly AlertRule[];
  /** The hub's public base URL for links; absent: the listen address given to `listening`. */
  publicUrl?: string | undefined;
  pins: AlertPins;
  /** PinCounter on a single hub, SharedPinCounter in a cluster. */
  counter: { rate(pinId: string, sinceTs: number): Awaitable<PinRateBucket[]> };
  verdicts: VerdictFeed;
  metrics: HubMetrics;
  logger: Logger;
  now(): number;
}

export interface Alerts {
  /** The hub listens at `url`: the base of links when no `publicUrl` is configured. */
  listening(url: string): void;
  close(): Promise<void>;
}

/**
 * Pin alerts (docs/alerts.md): evaluates every pin's rules on verdict changes and once a minute on
 * its counts, and sends each transition to the webhooks. Without webhooks nothing runs.
 */
export function startAlerts(deps: AlertsDeps): Alerts {
  const { logger, metrics } = deps;
  if (deps.webhooks.length === 0) return { listening: () => undefined, close: () => Promise.resolve() };
  let baseUrl = deps.publicUrl;
  const sender = new WebhookSender({
    webhooks: deps.webhooks,
    logger,
    metrics: { sent: metrics.webhookSent, failedAttempts: metrics.webhookFailedAttempts, givenUp: metrics.webhookGivenUp, dropped: metrics.webhookDropped },
  });
  const notify = (event: AlertEvent): void => {
    const notification = buildNotification(event, baseUrl ?? 'http://localhost');
    logger.info({ status: event.status, rule: event.rule.kind, pinId: event.pin.id, pin: event.pin.name }, `alert ${event.status}`);
    sender.send(notification);
  };
  const evaluator = new AlertEvaluator({ pins: deps.pins, defaultAlerts: deps.defaultAlerts, rate: (pinId, since) => deps.counter.rate(pinId, since), notify, now: deps.now, logger });
  const stopVerdicts = deps.verdicts.onChange((deploy, verdicts) => evaluator.onVerdicts(deploy, verdicts));
  const tick = setInterval(() => {
    evaluator.evaluateRates().catch((err: unknown) => logger.error({ err }, 'evaluating rate-above alerts failed'));
  }, RATE_TICK_MS);
  tick.unref();
  return {
    listening: (url) => {
      if (baseUrl !== undefined) return;
      baseUrl = url;
      logger.warn({ url }, 'publicUrl is not set: links in alert notifications use the hub\u2019s listen address (set publicUrl or --public-url to the address people open)');
    },
    close: () => {
      clearInterval(tick);
      stopVerdicts();
      return sender.close();
    },
  };
}
