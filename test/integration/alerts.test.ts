import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertNotificationSchema, type AlertNotification, type ApiError, type Pin } from '../../protocol/index.js';
import { api, metricValue } from '../helpers/http-api.js';
import { startTestHub, TestAgent, type TestHub } from '../helpers/hub-harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const MINUTE = 60_000;
/** A whole minute of the hub's clock. */
const T0 = 1_764_190_020_000;

describe('pin alerts on a hub', () => {
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let receiver: WebhookReceiver;
  let clock: number;
  const running = new Set<TestHub>();

  beforeEach(async () => {
    ({ dir: dataDir, cleanup } = await makeTempDir('sg-alerts-'));
    receiver = await WebhookReceiver.start();
    clock = T0 + 5_000;
  });

  afterEach(async () => {
    await Promise.all([...running].map((h) => h.close()));
    running.clear();
    await receiver.close();
    await cleanup();
  });

  async function start(options: Record<string, unknown> = {}): Promise<TestHub> {
    const h = await startTestHub({ dataDir, ...options }, { now: () => clock });
    running.add(h);
    return h;
  }

  async function stop(h: TestHub): Promise<void> {
    running.delete(h);
    await h.close();
  }

  it('keeps a pin\u2019s alert rules across a restart, and refuses malformed ones', async () => {
    const first = await start();
    const alerts = [{ kind: 'verdict-worse' }, { kind: 'rate-above', perMinute: 100, forMinutes: 5 }];
    const created = await api<Pin>(first.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR', alerts } });
    expect(created.status).toBe(201);
    expect(created.body.alerts).toEqual(alerts);
    // An empty list means "no alerts", not the hub's defaults: it must survive as such.
    const quiet = await api<Pin>(first.url, 'POST', '/api/pins', { json: { name: 'quiet', query: 'DEBUG', alerts: [] } });
    const plain = await api<Pin>(first.url, 'POST', '/api/pins', { json: { name: 'plain', query: 'WARN' } });
    const bad = await api<ApiError>(first.url, 'POST', '/api/pins', { json: { name: 'bad', query: 'x', alerts: [{ kind: 'rate-above', perMinute: 0, forMinutes: 1 }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'SG_ERR_BAD_REQUEST', message: expect.stringContaining('alerts') });
    await stop(first);

    const second = await start();
    const pins = (await api<Pin[]>(second.url, 'GET', '/api/pins')).body;
    // Created at the same (fixed) clock: listed by id then, so compare by name.
    expect(Object.fromEntries(pins.map((pin) => [pin.name, { id: pin.id, alerts: pin.alerts }]))).toEqual({
      errors: { id: created.body.id, alerts },
      quiet: { id: quiet.body.id, alerts: [] },
      plain: { id: plain.body.id, alerts: undefined },
    });
    expect(pins.find((pin) => pin.name === 'plain')).not.toHaveProperty('alerts');
  });

  it('sends one firing and one resolved rate-above notification as the hub\u2019s clock passes whole minutes', async () => {
    const h = await start({ webhooks: [{ url: receiver.url('/hooks/json'), format: 'json', name: 'ops' }, { url: receiver.url('/hooks/chat/s3cr3t'), format: 'slack' }], defaultAlerts: [] });
    const pin = (await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR', alerts: [{ kind: 'rate-above', perMinute: 10, forMinutes: 1 }] } })).body;
    // Defaults are empty: this pin never alerts.
    await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'all', query: '' } });
    const { agent } = await TestAgent.connect(h, 'web-1');
    // 15 errors in the minute starting at T0 (and 15 lines the `all` pin would see).
    await agent.send('/var/log/app.log', Array.from({ length: 15 }, (_, i) => `ERROR ${i}`));

    clock = T0 + MINUTE + 5_000;
    await waitFor('the firing notification on both webhooks', () => receiver.requests.length >= 2, 10_000);
    const json = receiver.requests.filter((r) => r.path === '/hooks/json').map((r) => alertNotificationSchema.parse(r.body));
    expect(json).toHaveLength(1);
    const firing: AlertNotification = json[0]!;
    expect(firing).toMatchObject({ status: 'firing', rule: { kind: 'rate-above', perMinute: 10, forMinutes: 1 }, pin: { id: pin.id, name: 'errors', query: 'ERROR' }, counts: { perMinute: 15 } });
    // No publicUrl: links start at the hub's own address.
    expect(firing.links.chart).toBe(`${h.url}/?q=ERROR&p=${pin.id}&from=${T0 - 30 * MINUTE}&to=${T0 + MINUTE}&chart=1`);
    const slack = receiver.requests.find((r) => r.path === '/hooks/chat/s3cr3t');
    expect(slack?.body).toEqual({ text: firing.text });

    // The next minute is over the threshold again: no repeat. A second pin that fires in that
    // minute is the sentinel: its notification comes after every rule of that minute was evaluated.
    await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'sentinel', query: 'SENTINEL', alerts: [{ kind: 'rate-above', perMinute: 0.5, forMinutes: 1 }] } });
    await agent.send('/var/log/app.log', [...Array.from({ length: 12 }, (_, i) => `ERROR again ${i}`), 'SENTINEL']);
    clock = T0 + 2 * MINUTE + 5_000;
    const jsonBodies = () => receiver.requests.filter((r) => r.path === '/hooks/json').map((r) => r.body as AlertNotification);
    await waitFor('the sentinel\u2019s notification', () => jsonBodies().length >= 2, 10_000);
    expect(jsonBodies().map((n) => `${n.status} ${n.pin.name}`)).toEqual(['firing errors', 'firing sentinel']);

    // A quiet minute resolves both.
    clock = T0 + 3 * MINUTE + 5_000;
    await waitFor('the resolved notifications', () => jsonBodies().length >= 4, 10_000);
    await waitFor('the Slack webhook to get as many', () => receiver.requests.length >= 8, 10_000);
    expect(jsonBodies().map((n) => `${n.status} ${n.pin.name}`)).toEqual(['firing errors', 'firing sentinel', 'resolved errors', 'resolved sentinel']);
    expect(jsonBodies()[2]).toMatchObject({ counts: { perMinute: 0 } });

    const metrics = (await api(h.url, 'GET', '/metrics')).text;
    expect(metricValue(metrics, 'supergrep_webhook_sent_total{webhook="ops"}')).toBe(4);
    expect(metricValue(metrics, `supergrep_webhook_sent_total{webhook="127.0.0.1:${receiver.port}"}`)).toBe(4);
    agent.close();
  });

  it('links from publicUrl when it is set', async () => {
    const h = await start({ webhooks: [{ url: receiver.url('/hooks/json'), format: 'json' }], publicUrl: 'https://logs.example.com/supergrep/' });
    await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR', alerts: [{ kind: 'rate-above', perMinute: 1, forMinutes: 1 }] } });
    const { agent } = await TestAgent.connect(h, 'web-1');
    await agent.send('/var/log/app.log', ['ERROR 1', 'ERROR 2']);
    clock = T0 + MINUTE + 5_000;
    await waitFor('the firing notification', () => receiver.requests.length >= 1, 10_000);
    const body = alertNotificationSchema.parse(receiver.requests[0]!.body);
    expect(body.links.lines).toBe(`https://logs.example.com/supergrep/?q=ERROR&from=${T0}&to=${T0 + MINUTE}`);
    agent.close();
  });
});
