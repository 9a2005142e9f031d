import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertNotification, Deploy, Pin, Verdict, VerdictKind } from '../../../../protocol/index.js';
import { startAlerts, type Alerts } from '../../../../server/alerts/alerts.js';
import type { VerdictFeed } from '../../../../server/alerts/verdict-feed.js';
import { HubMetrics } from '../../../../server/metrics.js';
import { waitFor } from '../../../helpers/wait.js';
import { WebhookReceiver } from '../../../helpers/webhook-receiver.js';

const D = 1_764_190_020_000;
const pin: Pin = { id: 'pin1', name: 'errors', query: 'ERROR', createdAt: D - 3_600_000 };
const deploy: Deploy = { id: 'dep1', label: 'v2', startedAt: D, createdAt: D };

function verdict(kind: VerdictKind): Verdict {
  return {
    deployId: 'dep1', pinId: 'pin1', pinName: 'errors', verdict: kind, final: false,
    windowFrom: D, windowTo: D + 600_000, windowElapsedMs: 120_000, windowCount: 40,
    baselineFrom: D - 3_600_000, baselineTo: D, baselineCoveredMs: 3_600_000, baselineCount: 12,
    ratio: 100, pValue: 1e-9, updatedAt: D + 120_000,
  };
}

/** A verdict board stand-in: what the real one will call through the same interface. */
class FakeFeed implements VerdictFeed {
  listeners: Array<(deploy: Deploy, verdicts: Verdict[]) => void> = [];
  onChange(listener: (deploy: Deploy, verdicts: Verdict[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
  emit(verdicts: Verdict[]): void {
    for (const listener of this.listeners) listener(deploy, verdicts);
  }
}

describe('startAlerts', () => {
  let receiver: WebhookReceiver;
  let alerts: Alerts | undefined;
  let logs: Array<Record<string, unknown>>;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    logs = [];
  });
  afterEach(async () => {
    await alerts?.close();
    await receiver.close();
  });

  function start(feed: VerdictFeed, publicUrl?: string): Alerts {
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) });
    alerts = startAlerts({
      webhooks: [{ url: receiver.url(), format: 'json' }],
      defaultAlerts: [{ kind: 'verdict-worse' }],
      publicUrl,
      pins: { list: () => [pin], get: (id) => (id === pin.id ? pin : undefined) },
      counter: { rate: () => [] },
      verdicts: feed,
      metrics: new HubMetrics(),
      logger,
      now: () => D + 120_000,
    });
    return alerts;
  }

  it('sends a verdict feed\u2019s transitions once each, linking from the listen address (with a warning) without publicUrl', async () => {
    const feed = new FakeFeed();
    const started = start(feed);
    started.listening('http://127.0.0.1:7070');
    expect(logs.filter((l) => String(l.msg).startsWith('publicUrl is not set'))).toHaveLength(1);
    feed.emit([verdict('unchanged')]);
    feed.emit([verdict('worse')]);
    feed.emit([verdict('worse')]);
    feed.emit([verdict('unchanged')]);
    await waitFor('the resolved notification', () => receiver.requests.length >= 2);
    const bodies = receiver.requests.map((r) => r.body as AlertNotification);
    expect(bodies.map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect(bodies[0]!.links.chart.startsWith('http://127.0.0.1:7070/?q=ERROR&p=pin1&')).toBe(true);
    await started.close();
    expect(feed.listeners).toHaveLength(0);
  });

  it('links from publicUrl when set, and does not warn', async () => {
    const feed = new FakeFeed();
    start(feed, 'https://logs.example.com').listening('http://127.0.0.1:7070');
    feed.emit([verdict('worse')]);
    await waitFor('the firing notification', () => receiver.requests.length >= 1);
    expect((receiver.requests[0]!.body as AlertNotification).links.lines.startsWith('https://logs.example.com/?q=ERROR&from=')).toBe(true);
    expect(logs.some((l) => String(l.msg).startsWith('publicUrl is not set'))).toBe(false);
  });

  it('does nothing without webhooks', () => {
    const feed = new FakeFeed();
    alerts = startAlerts({
      webhooks: [], defaultAlerts: [{ kind: 'verdict-worse' }], pins: { list: () => [pin], get: () => pin },
      counter: { rate: () => [] }, verdicts: feed, metrics: new HubMetrics(), logger: pino({ level: 'silent' }), now: () => D,
    });
    expect(feed.listeners).toHaveLength(0);
  });
});
