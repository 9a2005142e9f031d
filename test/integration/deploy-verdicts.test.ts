import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployVerdictsSchema, hubToClientSchema, type ApiError, type Deploy, type DeployVerdicts, type Pin, type PinRate, type Verdict, type VerdictsEvent } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeClock } from '../helpers/faketime.js';
import { api } from '../helpers/http-api.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { appendLines, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const MINUTE = 60_000;

/**
 * Deploy verdicts end to end: the real hub and agent, with the hub's wall clock stepped by
 * libfaketime so an hour of baseline and a twelve-minute window pass in seconds. Pin counts go to the
 * bucket of the hub's clock when a line is taken in, so each step puts the lines written after it
 * at that moment of the hub's time.
 */
describe('deploy verdicts', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let hubClock: FakeClock;
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-verdicts-'));
    log = join(dir, 'app.log');
    await writeFile(log, '');
    hubClock = new FakeClock(join(dir, 'hub-clock'));
    hubClock.set('-80m');
    // A window of 12 minutes and a baseline of 65: the flags reach the verdicts.
    hub = await startHub({ dataDir: join(dir, 'hub'), env: hubClock.env(), args: ['--verdict-window', '12m', '--verdict-baseline', '65m'] });
    const agentConfig = await writeJson(join(dir, 'agent.json'), FAST_AGENT);
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json'), args: ['--config', agentConfig] });
    await waitForFollowing(agent, log);
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await agent?.stop();
    await hub?.process.stop();
    await cleanup();
  });

  async function createPin(name: string, query: string): Promise<Pin> {
    const created = await api<Pin>(hub.url, 'POST', '/api/pins', { json: { name, query } });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function counted(pin: Pin): Promise<number> {
    const rate = await api<PinRate>(hub.url, 'GET', `/api/pins/${pin.id}/rate?minutes=180`);
    return rate.body.buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  }

  async function waitCounted(pin: Pin, total: number): Promise<void> {
    await waitFor(`${total} matches counted for ${pin.name}`, async () => (await counted(pin)) === total);
  }

  /** Start of the hub's current 10 s bucket: its clock, as its pin counts see it. */
  async function hubBucket(pin: Pin): Promise<number> {
    return (await api<PinRate>(hub.url, 'GET', `/api/pins/${pin.id}/rate?minutes=1`)).body.buckets.at(-1)!.ts;
  }

  /** Steps the hub's clock to `offsetMinutes` from the real time, and waits until its pin buckets show it. */
  async function stepHubClock(pin: Pin, offsetMinutes: number): Promise<void> {
    hubClock.set(`${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes}m`);
    await waitFor(`the hub's clock at ${offsetMinutes} min`, async () => Math.abs((await hubBucket(pin)) - (Date.now() + offsetMinutes * MINUTE)) < 30_000);
  }

  const byName = (verdicts: Verdict[], name: string) => verdicts.find((verdict) => verdict.pinName === name);

  it('says worse for a tenfold rise, unchanged for a steady rate and too few for a trickle, live and once final', async () => {
    const rising = await createPin('rising', 'alpha-error');
    const steady = await createPin('steady', 'beta-error');
    const rare = await createPin('rare', 'gamma-error');

    // Before the deploy: 60 matches of each of the first two pins, none of the third.
    await stepHubClock(rising, -65);
    await appendLines(log, [...numbered('alpha-error', 60), ...numbered('beta-error', 60)]);
    await waitCounted(rising, 60);
    await waitCounted(steady, 60);

    await stepHubClock(rising, -12);
    const viewer = await new Collector(hub.url, { query: 'no line has this' }).ready();
    collectors.push(viewer);
    const messages: VerdictsEvent[] = [];
    viewer.client.on('message', (message) => {
      if (message.type === 'verdicts') messages.push(hubToClientSchema.parse(message) as VerdictsEvent);
    });
    // Started at the hub's current bucket: the lines written from here on are all after it (a
    // bucket straddling the deploy would be split in proportion to time).
    const deploy = (await api<Deploy>(hub.url, 'POST', '/api/deploys', { json: { label: 'web v2', startedAt: await hubBucket(rising) } })).body;
    expect(deploy.startedAt).toBeLessThan(Date.now() - 11 * MINUTE);
    // The new deploy's verdicts reach the viewer at once, before any of its window has been counted.
    await waitFor('the first verdicts of the deploy', () => messages.find((m) => m.deployId === deploy.id));

    // Tenfold: 110 matches right after the deploy (60 in the 65 minutes before). Worse while the window fills.
    await appendLines(log, numbered('alpha-error', 110, 60));
    await waitCounted(rising, 170);
    const live = await waitFor('a live worse verdict', () => messages.find((m) => m.deployId === deploy.id && byName(m.verdicts, 'rising')?.verdict === 'worse'));
    expect(byName(live.verdicts, 'rising')).toMatchObject({ final: false, windowCount: 110, baselineCount: 60 });

    // Eleven minutes in: 11 more of the steady pin (its rate, about one a minute), and one of the rare one.
    await stepHubClock(rising, -1);
    await appendLines(log, [...numbered('beta-error', 11, 60), 'gamma-error 1']);
    await waitCounted(steady, 71);
    await waitCounted(rare, 1);

    // The window has ended: the answer is final, and the viewer is told so.
    await stepHubClock(rising, 0);
    const answer = await api<DeployVerdicts>(hub.url, 'GET', `/api/deploys/${deploy.id}/verdicts`);
    expect(answer.status).toBe(200);
    const { verdicts, alpha } = deployVerdictsSchema.parse(answer.body);
    expect(alpha).toBe(0.01);
    expect(verdicts.map((v) => v.pinName)).toEqual(['rising', 'steady', 'rare']);
    const common = { deployId: deploy.id, final: true, windowFrom: deploy.startedAt, windowTo: deploy.startedAt + 12 * MINUTE, windowElapsedMs: 12 * MINUTE, baselineCoveredMs: 65 * MINUTE };
    expect(byName(verdicts, 'rising')).toMatchObject({ ...common, verdict: 'worse', windowCount: 110, baselineCount: 60 });
    expect(byName(verdicts, 'rising')!.ratio).toBeCloseTo(110 / 12 / (60 / 65), 9);
    expect(byName(verdicts, 'rising')!.pValue).toBeLessThan(1e-20);
    expect(byName(verdicts, 'steady')).toMatchObject({ ...common, verdict: 'unchanged', windowCount: 11, baselineCount: 60 });
    expect(byName(verdicts, 'rare')).toMatchObject({ ...common, verdict: 'too-few', windowCount: 1, baselineCount: 0, ratio: null });
    const final = await waitFor('the final verdicts', () => messages.find((m) => m.deployId === deploy.id && m.verdicts.every((v) => v.final)));
    expect(final.verdicts.map(({ updatedAt: _u, ...rest }) => rest)).toEqual(verdicts.map(({ updatedAt: _u, ...rest }) => rest));
    // Never worse for the steady pin, at any look.
    expect(messages.flatMap((m) => m.verdicts).filter((v) => v.pinName !== 'rising' && v.verdict === 'worse')).toEqual([]);
  });

  it('keeps a deploy\u2019s own window and answers 404 for an unknown deploy', async () => {
    const pin = await createPin('errors', 'alpha-error');
    const posted = await api<Deploy>(hub.url, 'POST', '/api/deploys', { json: { label: 'canary', windowMs: 30 * MINUTE } });
    expect(posted.body.windowMs).toBe(30 * MINUTE);
    expect((await api<Deploy[]>(hub.url, 'GET', '/api/deploys')).body).toEqual([posted.body]);
    const answer = await api<DeployVerdicts>(hub.url, 'GET', `/api/deploys/${posted.body.id}/verdicts`);
    expect(answer.body.verdicts).toEqual([expect.objectContaining({ pinId: pin.id, windowTo: posted.body.startedAt + 30 * MINUTE, final: false })]);
    const missing = await api<ApiError>(hub.url, 'GET', '/api/deploys/nosuchdeploy/verdicts');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'SG_ERR_NOT_FOUND']);
  });
});
