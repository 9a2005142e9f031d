import { open, rename, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeClock } from '../helpers/faketime.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { appendLines, appendSentinel, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Wall-clock steps (NTP, an operator) on the agent's and the hub's hosts, injected with libfaketime
 * into the real processes: each one's Date.now jumps while its monotonic clock runs on. Durations
 * must not jump with it: a rotated file is closed after being idle for rotatedIdleCloseMs of real
 * time, not before (lines written to it late would be lost) and not hours later.
 */
describe('pipeline across wall-clock jumps', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let agentClock: FakeClock;
  let hubClock: FakeClock;
  const collectors: Collector[] = [];
  const rotatedIdleCloseMs = 3_000;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-clock-'));
    log = join(dir, 'app.log');
    await writeFile(log, '');
    agentClock = new FakeClock(join(dir, 'agent-clock'));
    hubClock = new FakeClock(join(dir, 'hub-clock'));
    const hubConfig = await writeJson(join(dir, 'hub.json'), { heartbeatIntervalMs: 500 });
    hub = await startHub({ dataDir: join(dir, 'hub'), env: hubClock.env(), args: ['--config', hubConfig] });
    const agentConfig = await writeJson(join(dir, 'agent.json'), { ...FAST_AGENT, rotatedIdleCloseMs, heartbeatIntervalMs: 500 });
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json'), env: agentClock.env(), args: ['--config', agentConfig] });
    await waitForFollowing(agent, log);
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await agent?.stop();
    await hub?.process.stop();
    await cleanup();
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function closedLogs(): Array<Record<string, unknown>> {
    return agent.logs().filter((r) => r.msg === 'closed file that was read to its end');
  }

  it('keeps a rotated file open for its idle time across a forward jump, and closes it in time after a backward one', async () => {
    const watcher = await new Collector(hub.url, { query: '^(line|late|back) ' }).ready();
    collectors.push(watcher);
    await appendLines(log, numbered('line', 20));
    await watcher.waitForCount(20);

    // Rotation, with the writer still holding the old file, as a logger does until it reopens.
    const oldWriter = await open(log, 'a');
    await rename(log, join(dir, 'app.log.1'));
    await oldWriter.write(numbered('late', 10).map((line) => `${line}\n`).join(''));
    await watcher.waitForCount(30);
    // The agent's wall clock jumps two hours ahead while the old file is idle...
    agentClock.set('+2h');
    await pause(agentClock.settleMs);
    // ...and the writer, well within the idle time of real time, writes to it again.
    await oldWriter.write(numbered('late', 10, 10).map((line) => `${line}\n`).join(''));
    await oldWriter.close();
    await appendLines(log, numbered('line', 10, 20));
    await watcher.waitForCount(50);
    // The jump really happened in the agent: lines it read now carry its clock, two hours ahead.
    expect(watcher.lines.at(-1)!.ts).toBeGreaterThan(Date.now() + 1.5 * HOUR_MS);
    await waitFor('the rotated file to be closed', () => closedLogs().length === 1, rotatedIdleCloseMs + 5_000);

    // A step back by three hours, then another rotation: that file must still close after its idle time.
    agentClock.set('-1h');
    await pause(agentClock.settleMs);
    const second = await open(log, 'a');
    await rename(log, join(dir, 'app.log.2'));
    await second.write(numbered('back', 10).map((line) => `${line}\n`).join(''));
    await second.close();
    await watcher.waitForCount(60);
    expect(watcher.lines.at(-1)!.ts).toBeLessThan(Date.now() - 0.5 * HOUR_MS);
    await waitFor('the second rotated file to be closed', () => closedLogs().length === 2, rotatedIdleCloseMs + 5_000);

    expect(watcher.texts().filter((line) => line.startsWith('late'))).toEqual(numbered('late', 20));
    expect(watcher.texts().filter((line) => line.startsWith('line'))).toEqual(numbered('line', 30));
    expect(watcher.texts().filter((line) => line.startsWith('back'))).toEqual(numbered('back', 10));
  });

  it('streams without loss or reconnects while the hub\u2019s and the agent\u2019s clocks jump both ways', async () => {
    const watcher = await new Collector(hub.url, { query: '^step' }, { backlog: 1_000 }).ready();
    collectors.push(watcher);
    const expected: string[] = [];
    const steps: Array<[FakeClock, string]> = [
      [hubClock, '+1d'],
      [agentClock, '-3h'],
      [hubClock, '-1d'],
      [agentClock, '+30m'],
      [hubClock, '+0'],
    ];
    for (const [index, [clock, offset]] of steps.entries()) {
      clock.set(offset);
      for (let burst = 0; burst < 5; burst += 1) {
        const lines = numbered(`step${index}`, 20, burst * 20);
        await appendLines(log, lines);
        expected.push(...lines);
        await pause(100);
      }
      await watcher.waitForCount(expected.length);
    }
    await appendSentinel(watcher, log, 'step sentinel');
    expect(watcher.texts()).toEqual([...expected, 'step sentinel']);
    // The hub's clock really jumped: its welcome to a new viewer reports a day ahead.
    hubClock.set('+1d');
    await pause(hubClock.settleMs);
    const late = new Collector(hub.url, { query: 'x' });
    collectors.push(late);
    const welcome = await new Promise<{ serverTime: number }>((resolve) => late.client.once('welcome', resolve));
    expect(welcome.serverTime).toBeGreaterThan(Date.now() + 20 * HOUR_MS);
    // Heartbeats run on the monotonic clock: no side gave up on the other.
    const missed = [...agent.logs(), ...hub.process.logs()].filter((r) => typeof r.msg === 'string' && r.msg.includes('missed a heartbeat'));
    expect(missed).toEqual([]);
    expect(agent.logs().filter((r) => r.msg === 'connected to hub')).toHaveLength(1);
    expect(hub.process.running && agent.running).toBe(true);
  });
});
