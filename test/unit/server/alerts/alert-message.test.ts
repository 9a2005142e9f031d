import { describe, expect, it } from 'vitest';
import { alertNotificationSchema, type Deploy, type Pin, type Verdict } from '../../../../protocol/index.js';
import { buildNotification, formatDuration, slackBody } from '../../../../server/alerts/alert-message.js';
import type { RateAlert, VerdictAlert } from '../../../../server/alerts/alert-rules.js';

const MINUTE = 60_000;
const D = 1_764_190_020_000;
const BASE = 'https://logs.example.com/';

const pin: Pin = { id: 'pin123', name: 'checkout errors', query: 'ERROR|5\\d\\d', hosts: ['web-*'], caseInsensitive: true, createdAt: D - 3_600_000 };
const deploy: Deploy = { id: 'dep9', label: 'web v1.2.3', startedAt: D, createdAt: D };
const verdict: Verdict = {
  deployId: 'dep9',
  pinId: 'pin123',
  pinName: 'checkout errors',
  verdict: 'worse',
  final: false,
  windowFrom: D,
  windowTo: D + 10 * MINUTE,
  windowElapsedMs: 4 * MINUTE + 30_000,
  windowCount: 120,
  baselineFrom: D - 60 * MINUTE,
  baselineTo: D,
  baselineCoveredMs: 60 * MINUTE,
  baselineCount: 1,
  ratio: 16.0000001,
  pValue: 0.000000123,
  updatedAt: D + 4 * MINUTE + 30_000,
};

describe('alert messages', () => {
  it('name the pin, the deploy, both counts, the ratio, the p-value and absolute links', () => {
    const event: VerdictAlert = { status: 'firing', rule: { kind: 'verdict-worse' }, pin, deploy, verdict, at: D + 4 * MINUTE + 30_000 };
    const n = buildNotification(event, BASE);
    expect(alertNotificationSchema.parse(n)).toEqual(n);
    const chart = `https://logs.example.com/?q=ERROR%7C5%5Cd%5Cd&i=1&h=web-*&p=pin123&from=${D - 30 * MINUTE}&to=${D + 10 * MINUTE}&chart=1`;
    const lines = `https://logs.example.com/?q=ERROR%7C5%5Cd%5Cd&i=1&h=web-*&from=${D - 5 * MINUTE}&to=${D + 10 * MINUTE}`;
    expect(n.links).toEqual({ chart, lines });
    expect(n.text).toBe(
      '[supergrep] FIRING: pin "checkout errors" got worse after deploy "web v1.2.3": 120 matches in 4m 30s after, ' +
        `1 match in 1h before (rate \u00d716, p = 1.2e-7). Chart: ${chart} Lines: ${lines}`,
    );
    expect(n).toMatchObject({ status: 'firing', pin: { id: 'pin123', name: 'checkout errors', query: 'ERROR|5\\d\\d' }, deploy: { id: 'dep9', label: 'web v1.2.3', startedAt: D }, counts: { baseline: 1, window: 120 }, ratio: 16.0000001, pValue: 0.000000123 });
  });

  it('say why an alert resolved: the verdict recovered, or a later deploy is not worse', () => {
    const recovered = buildNotification({ status: 'resolved', rule: { kind: 'verdict-worse' }, pin, deploy, verdict: { ...verdict, verdict: 'unchanged', ratio: null, pValue: 0.25 }, at: D + 9 * MINUTE }, BASE);
    expect(recovered.text).toContain('RESOLVED: pin "checkout errors" is no longer worse after deploy "web v1.2.3" (now unchanged): 120 matches in 4m 30s after, 1 match in 1h before (rate no match before, p = 0.25).');
    const later: Deploy = { ...deploy, id: 'dep10', label: 'web v1.2.2 (rollback)', startedAt: D + 20 * MINUTE };
    const rollback = buildNotification(
      { status: 'resolved', rule: { kind: 'verdict-worse' }, pin, deploy: later, firedFor: deploy, verdict: { ...verdict, deployId: 'dep10', verdict: 'better', windowTo: D + 30 * MINUTE }, at: D + 22 * MINUTE },
      BASE,
    );
    expect(rollback.text).toContain('RESOLVED: pin "checkout errors" is better after the later deploy "web v1.2.2 (rollback)" (it was worse after "web v1.2.3")');
    expect(rollback.deploy?.id).toBe('dep10');
    // The chart spans the bad deploy too.
    expect(rollback.links.chart).toContain(`from=${D - 30 * MINUTE}&to=${D + 30 * MINUTE}&chart=1`);
  });

  it('give a rate alert\u2019s minute counts', () => {
    const event: RateAlert = { status: 'firing', rule: { kind: 'rate-above', perMinute: 10, forMinutes: 3 }, pin, minuteCounts: [11, 40, 12], from: D, to: D + 3 * MINUTE, at: D + 3 * MINUTE + 1 };
    const firing = buildNotification(event, 'http://127.0.0.1:7070');
    expect(alertNotificationSchema.parse(firing)).toEqual(firing);
    expect(firing.text).toMatch(/^\[supergrep\] FIRING: pin "checkout errors" matched more than 10 lines a minute for 3 minutes \(per minute: 11, 40, 12\)\. Chart: http:\/\/127\.0\.0\.1:7070\/\?q=/);
    expect(firing.links.lines).toBe(`http://127.0.0.1:7070/?q=ERROR%7C5%5Cd%5Cd&i=1&h=web-*&from=${D}&to=${D + 3 * MINUTE}`);
    expect(firing.counts).toEqual({ perMinute: 12 });
    const resolved = buildNotification({ ...event, status: 'resolved', minuteCounts: [40, 12, 1] }, BASE);
    expect(resolved.text).toContain('RESOLVED: pin "checkout errors" matched 1 line in the last minute, not more than 10.');
  });

  it('escape < and > in the Slack body, so a label cannot mention @channel', () => {
    const event: VerdictAlert = { status: 'firing', rule: { kind: 'verdict-worse' }, pin, deploy: { ...deploy, label: '<!channel> v2 & co' }, verdict, at: D };
    const body = slackBody(buildNotification(event, BASE));
    expect(body.text).toContain('deploy "&lt;!channel&gt; v2 & co"');
    expect(body.text).not.toContain('<');
    expect(Object.keys(body)).toEqual(['text']);
  });

  it('formats durations', () => {
    expect([45_000, 60_000, 270_000, 3_600_000, 3_900_000].map(formatDuration)).toEqual(['45s', '1m', '4m 30s', '1h', '1h 5m']);
  });
});
