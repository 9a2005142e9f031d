import type { Counter } from 'prom-client';
import { ReconnectBackoff, type AlertNotification, type WebhookFormat } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { slackBody } from './alert-message.js';

export interface WebhookTarget {
  url: string;
  format: WebhookFormat;
  /** Names the webhook in logs and metrics; absent: its host. */
  name?: string | undefined;
}

type WebhookCounter = Pick<Counter<'webhook'>, 'labels'>;

interface WebhookMetrics {
  sent: WebhookCounter;
  failedAttempts: WebhookCounter;
  givenUp: WebhookCounter;
  dropped: WebhookCounter;
}

export interface WebhookSenderOptions {
  webhooks: readonly WebhookTarget[];
  logger: Logger;
  metrics: WebhookMetrics;
  /** Longest wait for one POST's answer. */
  timeoutMs?: number;
  /** Attempts per notification, the first included. */
  maxAttempts?: number;
  /** Delay before retry n: uniform in [minMs, min(capMs, baseMs * 2^n)] (full jitter). */
  backoff?: { baseMs: number; capMs: number; minMs: number };
  /** Notifications waiting per webhook; one more drops the oldest. */
  maxQueue?: number;
  random?: () => number;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  maxAttempts: 8,
  backoff: { baseMs: 1_000, capMs: 60_000, minMs: 250 },
  maxQueue: 100,
};

/** Answers worth retrying: the receiver may take it later. Any other non-2xx is the request's fault. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Which host a webhook posts to: the only part of its URL that is ever logged (the path is often its secret). */
function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** A failure in a word or two: the cause's code (ECONNREFUSED), "timed out", or the message. */
function describe(err: unknown): string {
  const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'timed out';
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(err);
}

class WebhookQueue {
  private readonly items: AlertNotification[] = [];
  private working = false;
  readonly label: string;
  private readonly host: string;

  constructor(
    private readonly target: WebhookTarget,
    private readonly options: Required<Omit<WebhookSenderOptions, 'webhooks' | 'random'>> & { random: () => number },
    private readonly signal: AbortSignal,
    private readonly idle: () => void,
  ) {
    this.host = webhookHost(target.url);
    this.label = target.name ?? this.host;
  }

  get busy(): boolean {
    return this.working;
  }

  push(notification: AlertNotification): void {
    if (this.items.length >= this.options.maxQueue) {
      this.items.shift();
      this.options.metrics.dropped.labels(this.label).inc();
      this.options.logger.warn({ webhook: this.label, host: this.host, maxQueue: this.options.maxQueue }, 'webhook queue full: dropped its oldest notification');
    }
    this.items.push(notification);
    if (!this.working) void this.work();
  }

  /** One notification at a time, in order, so a resolve never overtakes its firing. */
  private async work(): Promise<void> {
    this.working = true;
    try {
      for (let next = this.items.shift(); next !== undefined && !this.signal.aborted; next = this.items.shift()) await this.deliver(next);
    } finally {
      this.working = false;
      this.idle();
    }
  }

  private async deliver(notification: AlertNotification): Promise<void> {
    const { logger, metrics, maxAttempts } = this.options;
    const body = JSON.stringify(this.target.format === 'slack' ? slackBody(notification) : notification);
    const backoff = new ReconnectBackoff({ ...this.options.backoff, random: this.options.random });
    for (let attempt = 1; ; attempt += 1) {
      let problem: string;
      let again = true;
      try {
        const response = await fetch(this.target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'supergrep-hub' },
          body,
          redirect: 'error',
          signal: AbortSignal.any([this.signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) {
          metrics.sent.labels(this.label).inc();
          logger.info({ webhook: this.label, host: this.host, status: notification.status, pin: notification.pin.name, attempt }, 'alert notification sent');
          return;
        }
        problem = `HTTP ${response.status}`;
        again = retryable(response.status);
      } catch (err) {
        if (this.signal.aborted) return;
        problem = describe(err);
      }
      metrics.failedAttempts.labels(this.label).inc();
      if (!again || attempt >= maxAttempts) {
        metrics.givenUp.labels(this.label).inc();
        logger.error({ webhook: this.label, host: this.host, problem, attempts: attempt, pin: notification.pin.name }, 'alert notification given up');
        return;
      }
      const delayMs = backoff.next();
      logger.warn({ webhook: this.label, host: this.host, problem, attempt, retryInMs: delayMs }, 'alert notification failed; retrying');
      if (!(await this.wait(delayMs))) return;
    }
  }

  /** Resolves true after `ms`, or false at once when the sender closes. */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.signal.aborted) return resolve(false);
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve(!this.signal.aborted);
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done);
    });
  }
}

/**
 * POSTs alert notifications to every configured webhook: a Slack-compatible `{"text": ...}` or the
 * generic JSON body. Each webhook has its own bounded queue, sent in order; a failed POST (error,
 * timeout, 5xx, 408, 429) is retried with capped exponential backoff and full jitter, any other
 * non-2xx is given up at once. Logs name a webhook by its name or host, never its full URL.
 */
export class WebhookSender {
  private readonly queues: WebhookQueue[];
  private readonly abort = new AbortController();
  private idleWaiters: Array<() => void> = [];

  constructor(options: WebhookSenderOptions) {
    const resolved = {
      logger: options.logger,
      metrics: options.metrics,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      backoff: options.backoff ?? DEFAULTS.backoff,
      maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
      random: options.random ?? Math.random,
    };
    this.queues = options.webhooks.map((target) => new WebhookQueue(target, resolved, this.abort.signal, () => this.checkIdle()));
  }

  send(notification: AlertNotification): void {
    if (this.abort.signal.aborted) return;
    for (const queue of this.queues) queue.push(notification);
  }

  /** Resolves once every queue is empty and no POST is in flight (tests, and a graceful stop). */
  idle(): Promise<void> {
    if (!this.queues.some((queue) => queue.busy)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abandons what is queued and in flight. */
  close(): Promise<void> {
    this.abort.abort(new Error('the hub is stopping'));
    return this.idle();
  }

  private checkIdle(): void {
    if (this.queues.some((queue) => queue.busy)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
