import { createServer } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertNotification } from '../../../../protocol/index.js';
import { WebhookSender, type WebhookSenderOptions } from '../../../../server/alerts/webhook-sender.js';
import { HubMetrics } from '../../../../server/metrics.js';
import { metricValue } from '../../../helpers/http-api.js';
import { waitFor } from '../../../helpers/wait.js';
import { WebhookReceiver } from '../../../helpers/webhook-receiver.js';

const SECRET = 's3cr3t-path';

function notification(n: number): AlertNotification {
  return {
    status: 'firing',
    rule: { kind: 'verdict-worse' },
    pin: { id: 'p1', name: 'errors', query: 'ERROR' },
    counts: { baseline: 1, window: 20 },
    links: { chart: 'https://logs.example.com/?q=ERROR&p=p1', lines: 'https://logs.example.com/?q=ERROR' },
    text: `alert ${n}`,
    at: 1_764_190_000_000 + n,
  };
}

describe('WebhookSender against a real HTTP receiver', () => {
  let receiver: WebhookReceiver;
  let metrics: HubMetrics;
  let logs: Array<Record<string, unknown>>;
  let rawLogs: string[];
  const senders: WebhookSender[] = [];

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    metrics = new HubMetrics();
    logs = [];
    rawLogs = [];
  });

  afterEach(async () => {
    await Promise.all(senders.splice(0).map((sender) => sender.close()));
    await receiver.close();
  });

  function sender(options: Partial<WebhookSenderOptions> = {}): WebhookSender {
    const logger = pino({ level: 'info' }, {
      write: (line: string) => {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    const created = new WebhookSender({
      webhooks: [{ url: receiver.url(), format: 'slack' }],
      logger,
      metrics: { sent: metrics.webhookSent, failedAttempts: metrics.webhookFailedAttempts, givenUp: metrics.webhookGivenUp, dropped: metrics.webhookDropped },
      backoff: { baseMs: 40, capMs: 100, minMs: 1 },
      random: () => 0.5,
      timeoutMs: 5_000,
      ...options,
    });
    senders.push(created);
    return created;
  }

  async function metric(name: string, webhook = `127.0.0.1:${receiver.port}`): Promise<number | undefined> {
    return metricValue(await metrics.registry.metrics(), `supergrep_webhook_${name}_total{webhook="${webhook}"}`);
  }

  it('posts the Slack body to one webhook and the generic JSON to another', async () => {
    const s = sender({ webhooks: [{ url: receiver.url('/slack/' + SECRET), format: 'slack' }, { url: receiver.url('/json'), format: 'json', name: 'ops' }] });
    s.send(notification(1));
    await s.idle();
    const byPath = new Map(receiver.requests.map((r) => [r.path, r]));
    expect(byPath.get(`/slack/${SECRET}`)).toEqual({ method: 'POST', path: `/slack/${SECRET}`, contentType: 'application/json', body: { text: 'alert 1' } });
    expect(byPath.get('/json')?.body).toEqual(notification(1));
    expect(await metric('sent')).toBe(1);
    expect(await metric('sent', 'ops')).toBe(1);
  });

  it('retries after 500s with growing, capped, jittered delays, then counts one sent', async () => {
    receiver.respond = (_request, index) => (index < 4 ? 500 : 200);
    const s = sender();
    s.send(notification(1));
    await s.idle();
    expect(receiver.requests.map((r) => r.body)).toEqual(Array.from({ length: 5 }, () => ({ text: 'alert 1' })));
    // Half (random 0.5) of min(cap 100, 40 * 2^n).
    expect(logs.filter((l) => l.msg === 'alert notification failed; retrying').map((l) => [l.problem, l.retryInMs])).toEqual([
      ['HTTP 500', 20],
      ['HTTP 500', 40],
      ['HTTP 500', 50],
      ['HTTP 500', 50],
    ]);
    expect(await metric('failed_attempts')).toBe(4);
    expect(await metric('sent')).toBe(1);
    expect(await metric('given_up')).toBeUndefined();
  });

  it('gives up after the last attempt, and at once on a 4xx that retrying cannot fix', async () => {
    receiver.respond = (request) => (request.body && (request.body as { text: string }).text === 'alert 1' ? 503 : 404);
    const s = sender({ maxAttempts: 3 });
    s.send(notification(1));
    s.send(notification(2));
    await s.idle();
    expect(receiver.requests.map((r) => (r.body as { text: string }).text)).toEqual(['alert 1', 'alert 1', 'alert 1', 'alert 2']);
    expect(await metric('failed_attempts')).toBe(4);
    expect(await metric('given_up')).toBe(2);
    expect(await metric('sent')).toBeUndefined();
  });

  it('times out a receiver that does not answer and retries', async () => {
    receiver.respond = (_request, index) => (index === 0 ? 'hold' : 200);
    const s = sender({ timeoutMs: 200 });
    s.send(notification(1));
    await s.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(logs.find((l) => l.msg === 'alert notification failed; retrying')?.problem).toBe('timed out');
    expect(await metric('failed_attempts')).toBe(1);
    expect(await metric('sent')).toBe(1);
  });

  it('retries when nothing listens, and never logs the URL\u2019s secret path', async () => {
    // A port nothing listens on: taken, then freed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const s = sender({ webhooks: [{ url: `http://127.0.0.1:${port}/hooks/${SECRET}`, format: 'slack' }], maxAttempts: 2 });
    s.send(notification(1));
    await s.idle();
    expect(logs.map((l) => l.problem).filter(Boolean)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(await metric('given_up', `127.0.0.1:${port}`)).toBe(1);
    expect(rawLogs.length).toBeGreaterThan(0);
    expect(rawLogs.join('')).not.toContain(SECRET);
  });

  it('keeps a bounded queue: the oldest waiting notifications are dropped and counted, the rest sent in order', async () => {
    receiver.respond = (_request, index) => (index === 0 ? 'hold' : 200);
    const s = sender({ maxQueue: 2 });
    s.send(notification(1));
    await waitFor('the first POST to arrive', () => receiver.requests.length === 1);
    for (let n = 2; n <= 5; n += 1) s.send(notification(n));
    expect(await metric('dropped')).toBe(2);
    receiver.release(200);
    await s.idle();
    expect(receiver.requests.map((r) => (r.body as { text: string }).text)).toEqual(['alert 1', 'alert 4', 'alert 5']);
    expect(await metric('sent')).toBe(3);
    expect(rawLogs.join('')).not.toContain(SECRET);
  });

  it('stops retrying when closed', async () => {
    receiver.respond = () => 500;
    const s = sender({ backoff: { baseMs: 60_000, capMs: 60_000, minMs: 60_000 } });
    s.send(notification(1));
    await waitFor('the first attempt to fail', async () => (await metric('failed_attempts')) === 1);
    await s.close();
    expect(receiver.requests).toHaveLength(1);
    expect(await metric('given_up')).toBeUndefined();
  });
});
