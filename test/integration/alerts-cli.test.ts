import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pin, PinRate } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeClock } from '../helpers/faketime.js';
import { api, metricValue } from '../helpers/http-api.js';
import { appendLines, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const MINUTE = 60_000;
const SECRET = 'T0AAA/B0BBB/s3cr3t';

/**
 * A rate-above alert through the real CLI: `supergrep hub --webhook --public-url`, a real agent
 * tailing a file, a real HTTP receiver. The hub's wall clock is stepped with libfaketime past the
 * minute boundaries the rule waits for, instead of waiting minutes.
 */
describe('rate-above alert through hub, agent and webhook', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let receiver: WebhookReceiver;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let hubClock: FakeClock;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-alerts-cli-'));
    receiver = await WebhookReceiver.start();
    log = join(dir, 'app.log');
    await writeFile(log, '');
    hubClock = new FakeClock(join(dir, 'hub-clock'));
    hub = await startHub({ dataDir: join(dir, 'hub'), env: hubClock.env(), args: ['--webhook', receiver.url(`/hooks/${SECRET}`), '--public-url', 'https://logs.example.com'] });
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json') });
    await waitForFollowing(agent, log);
  });

  afterEach(async () => {
    await agent?.stop();
    await hub?.process.stop();
    await receiver.close();
    await cleanup();
  });

  /** Steps the hub's clock so that it reads `target` now (to the second). */
  function setHubClock(target: number): void {
    hubClock.set(`+${Math.ceil((target - Date.now()) / 1000)}s`);
  }

  it('posts one Slack message when a minute goes over the threshold and one when a minute is back under it', async () => {
    const pin = (await api<Pin>(hub.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR', alerts: [{ kind: 'rate-above', perMinute: 5, forMinutes: 1 }] } })).body;
    await appendLines(log, numbered('ERROR', 20));
    const rate = await waitFor('the 20 errors to be counted', async () => {
      const answer = (await api<PinRate>(hub.url, 'GET', `/api/pins/${pin.id}/rate`)).body;
      return answer.buckets.reduce((sum, b) => sum + b.count, 0) === 20 ? answer : undefined;
    });
    // However the 20 fell across a minute boundary, the minute of the fullest bucket had more than 5.
    const fullest = rate.buckets.reduce((a, b) => (b.count > a.count ? b : a));
    const minute = Math.floor(fullest.ts / MINUTE) * MINUTE;

    setHubClock(minute + MINUTE + 5_000);
    await waitFor('the firing message', () => receiver.requests.length >= 1);
    const firing = receiver.requests[0]!;
    expect(firing.path).toBe(`/hooks/${SECRET}`);
    expect(firing.contentType).toBe('application/json');
    const text = (firing.body as { text: string }).text;
    expect(Object.keys(firing.body as object)).toEqual(['text']);
    expect(text).toMatch(/^\[supergrep\] FIRING: pin "errors" matched more than 5 lines a minute for 1 minute \(per minute: \d+\)\./);
    expect(text).toContain(`Chart: https://logs.example.com/?q=ERROR&p=${pin.id}&from=`);
    expect(text).toMatch(/&to=\d+&chart=1 Lines: https:\/\/logs\.example\.com\/\?q=ERROR&from=\d+&to=\d+$/);

    // Two minutes on: the last whole minute had no error.
    setHubClock(minute + 3 * MINUTE + 5_000);
    await waitFor('the resolved message', () => receiver.requests.length >= 2);
    expect((receiver.requests[1]!.body as { text: string }).text).toMatch(/^\[supergrep\] RESOLVED: pin "errors" matched 0 lines in the last minute, not more than 5\./);

    const metrics = (await api(hub.url, 'GET', '/metrics')).text;
    expect(metricValue(metrics, `supergrep_webhook_sent_total{webhook="127.0.0.1:${receiver.port}"}`)).toBe(2);
    // The webhook is named by its host in logs; its secret path never appears.
    expect(hub.process.logs().some((r) => r.msg === 'alert notification sent' && r.host === `127.0.0.1:${receiver.port}`)).toBe(true);
    expect(hub.process.output()).not.toContain('s3cr3t');
  });
});
