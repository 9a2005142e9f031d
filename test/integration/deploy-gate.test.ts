import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pin, PinRate } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { FakeClock } from '../helpers/faketime.js';
import { api } from '../helpers/http-api.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { appendLines, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const MINUTE = 60_000;

interface GateRecord {
  type: string;
  exitCode?: number;
  worse?: string[];
  deploy?: { id: string };
  pinName?: string;
  verdict?: string;
  final?: boolean;
}

/**
 * The whole deploy gate as a pipeline runs it: `supergrep deploy --watch` against the real hub and
 * agent, the hub's alerts going to a real HTTP receiver. The hub's wall clock is stepped with
 * libfaketime, so an hour of baseline and the ten-minute window pass in seconds: the baseline's
 * lines are taken in an hour "before", the window's lines a minute after the deploy, and then the
 * clock moves past the window's end.
 */
describe('deploy gate: verdicts, webhook and exit code', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let receiver: WebhookReceiver;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let hubClock: FakeClock;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-gate-'));
    receiver = await WebhookReceiver.start();
    log = join(dir, 'app.log');
    await writeFile(log, '');
    hubClock = new FakeClock(join(dir, 'hub-clock'));
    hubClock.set('-80m');
    hub = await startHub({ dataDir: join(dir, 'hub'), env: hubClock.env(), args: ['--webhook', receiver.url(), '--public-url', 'https://logs.example.com'] });
    const agentConfig = await writeJson(join(dir, 'agent.json'), FAST_AGENT);
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json'), args: ['--config', agentConfig] });
    await waitForFollowing(agent, log);
  });

  afterEach(async () => {
    await agent?.stop();
    await hub?.process.stop();
    await receiver.close();
    await cleanup();
  });

  async function createPin(name: string, query: string): Promise<Pin> {
    const created = await api<Pin>(hub.url, 'POST', '/api/pins', { json: { name, query } });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function waitCounted(pin: Pin, total: number): Promise<void> {
    await waitFor(`${total} matches counted for ${pin.name}`, async () => {
      const rate = await api<PinRate>(hub.url, 'GET', `/api/pins/${pin.id}/rate?minutes=180`);
      return rate.body.buckets.reduce((sum, bucket) => sum + bucket.count, 0) === total;
    });
  }

  /** Steps the hub's clock to `offsetMinutes` from the real time and waits until its pin buckets show it. */
  async function stepHubClock(pin: Pin, offsetMinutes: number): Promise<void> {
    hubClock.set(`${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes}m`);
    await waitFor(`the hub's clock at ${offsetMinutes} min`, async () => {
      const newest = (await api<PinRate>(hub.url, 'GET', `/api/pins/${pin.id}/rate?minutes=1`)).body.buckets.at(-1)!.ts;
      return Math.abs(newest - (Date.now() + offsetMinutes * MINUTE)) < 30_000;
    });
  }

  function deployWatch(args: string[]): CliProcess {
    return new CliProcess(['deploy', '--hub', hub.url, '--watch', '10m', '--poll-interval', '200ms', '--json', ...args]);
  }

  const records = (cli: CliProcess): GateRecord[] => cli.stdoutLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as GateRecord);
  const texts = () => receiver.requests.map((request) => (request.body as { text: string }).text);

  /**
   * Baseline: `before` matches per pin 65 minutes before the hub's "now"; the deploy at -12 min by
   * the CLI; `after` matches per pin a minute into the window; then the clock past the window's end.
   */
  async function runDeploy(pins: Pin[], before: number[], after: number[], cliArgs: string[]): Promise<CliProcess> {
    await stepHubClock(pins[0]!, -65);
    await appendLines(log, pins.flatMap((pin, i) => numbered(pin.query, before[i]!)));
    for (const [i, pin] of pins.entries()) await waitCounted(pin, before[i]!);

    await stepHubClock(pins[0]!, -12);
    const cli = deployWatch([...cliArgs, 'web v2']);
    await waitFor('the deploy posted', () => records(cli).find((record) => record.type === 'deploy'));

    // The window's lines in two halves, one and six minutes in: a steady rate must look steady at
    // every look (a burst of a whole window's worth in its first minute rightly looks worse), and
    // every line falls in a bucket wholly after the deploy.
    for (const [half, offset] of [[0, -11], [1, -6]] as const) {
      await stepHubClock(pins[0]!, offset);
      const share = (i: number) => (half === 0 ? Math.ceil(after[i]! / 2) : Math.floor(after[i]! / 2));
      const from = (i: number) => before[i]! + (half === 0 ? 0 : Math.ceil(after[i]! / 2));
      await appendLines(log, pins.flatMap((pin, i) => numbered(pin.query, share(i), from(i))));
      for (const [i, pin] of pins.entries()) await waitCounted(pin, from(i) + share(i));
    }

    await stepHubClock(pins[0]!, 0);
    return cli;
  }

  it('turns worse on a tenfold rise: one webhook message for that pin, and deploy --watch exits 3', async () => {
    const steady = await createPin('steady', 'beta-error');
    const rising = await createPin('rising', 'alpha-error');
    // 60 an hour before, then in ten minutes 10 (the same rate) and 100 (ten times it).
    const cli = await runDeploy([steady, rising], [60, 60], [10, 100], []);

    expect(await cli.closed).toEqual({ code: 3, signal: null });
    const summary = records(cli).at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', exitCode: 3, worse: ['rising'] });
    const settled = records(cli).filter((record) => record.type === 'verdict' && record.final);
    expect(settled.map((record) => [record.pinName, record.verdict]).sort()).toEqual([
      ['rising', 'worse'],
      ['steady', 'unchanged'],
    ]);

    // One message, about the pin that got worse and the deploy.
    await waitFor('the firing message', () => texts().length >= 1);
    expect(texts()[0]).toMatch(/FIRING/);
    expect(texts()[0]).toContain('"rising"');
    expect(texts()[0]).toContain('web v2');
    expect(texts()[0]).toContain('https://logs.example.com/');

    // A rollback whose window settles with the pin no longer worse resolves it. Its message comes
    // after the first deploy's final verdicts, so no repeat of the firing one can hide after it.
    const rollback = await api(hub.url, 'POST', '/api/deploys', { json: { label: 'web v1 (rollback)' } });
    expect(rollback.status).toBe(201);
    await stepHubClock(rising, 11);
    await waitFor('the resolved message', () => texts().length >= 2);
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toMatch(/RESOLVED/);
    expect(texts()[1]).toContain('"rising"');
  });

  it('stays unchanged at a steady rate and says too few for a trickle: nothing sent for them, exit 0', async () => {
    const steady = await createPin('steady', 'beta-error');
    const rare = await createPin('rare', 'gamma-error');
    // Created last and worse: its message is the barrier that shows none was queued for the others.
    const sentinel = await createPin('sentinel', 'delta-error');
    const cli = await runDeploy([steady, rare, sentinel], [60, 0, 60], [10, 1, 100], ['--pin', 'steady', '--pin', 'rare']);

    expect(await cli.closed).toEqual({ code: 0, signal: null });
    expect(records(cli).at(-1)).toMatchObject({ type: 'summary', exitCode: 0, worse: [] });
    const settled = records(cli).filter((record) => record.type === 'verdict' && record.final);
    expect(settled.map((record) => [record.pinName, record.verdict]).sort()).toEqual([
      ['rare', 'too-few'],
      ['steady', 'unchanged'],
    ]);

    await waitFor('the sentinel pin\u2019s message', () => texts().some((text) => text.includes('"sentinel"')));
    expect(texts()).toHaveLength(1);
  });
});
