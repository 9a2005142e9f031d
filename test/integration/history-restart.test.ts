import { readdir, rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, appendSentinel, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { Tmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

/** The hub's on-disk history: what a hub killed with kill -9 had taken in is there after a restart, under the same ids. */
describe('history across kill -9 of the hub', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: string;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];
  let tmpfs: Tmpfs | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    log = join(dir, 'app.log');
    await writeFile(log, '');
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await tmpfs?.unmount();
    tmpfs = undefined;
    await cleanup();
  });

  async function hub(args: string[] = [], port?: number): Promise<TestHub> {
    const started = await startHub({ dataDir: join(dir, 'hub'), args, ...(port === undefined ? {} : { port }) });
    processes.push(started.process);
    return started;
  }

  async function viewer(at: TestHub, backlog = 10_000): Promise<Collector> {
    const collector = new Collector(at.url, { query: 'line' }, { backlog });
    collectors.push(collector);
    return collector.ready();
  }

  /** Kills the hub with SIGKILL (no shutdown code runs) and starts another on the same data directory and port. */
  async function killAndRestart(killed: TestHub, args: string[] = []): Promise<TestHub> {
    killed.process.kill('SIGKILL');
    await killed.process.exited;
    return hub(args, killed.port);
  }

  it('a viewer of the restarted hub gets every line from before the kill in its backlog, with the same ids, once', async () => {
    let first = await hub();
    const agent = startAgent({ hubs: [first.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const watcher = await viewer(first);
    const before = numbered('line', 2000);
    for (let i = 0; i < before.length; i += 100) await appendLines(log, before.slice(i, i + 100));
    await watcher.waitForCount(before.length);
    const ids = watcher.lines.map((line) => line.id);
    // No wait for the agent's checkpoint: the hub's resume points outlive it too, so nothing is sent twice.
    expect((await readdir(join(dir, 'hub', 'history'))).some((name) => name.startsWith('wal-'))).toBe(true);

    first = await killAndRestart(first);
    const late = await viewer(first);
    await appendSentinel(late, log, 'line sentinel');
    const backlog = late.lines.slice(0, -1);
    expect(backlog.map((line) => line.line)).toEqual(before);
    expect(backlog.map((line) => line.id)).toEqual(ids);
    expect(late.lines.at(-1)!.id).not.toBe(ids.at(-1));
  });

  it('keeps resume points: an agent whose checkpoint lags does not send again what history holds', async () => {
    let first = await hub();
    const stateFile = join(dir, 'agent.json');
    const lagging = join(dir, 'agent-config.json');
    // Checkpoints every 10 minutes: the state file stays where the clean stop below left it.
    await writeFile(lagging, JSON.stringify({ checkpointIntervalMs: 600_000 }));
    const clean = startAgent({ hubs: [first.wsUrl], paths: [log], stateFile });
    processes.push(clean);
    await waitForFollowing(clean, log);
    const watcher = await viewer(first);
    await appendLines(log, numbered('line', 100));
    await watcher.waitForCount(100);
    await clean.stop(); // SIGTERM: its checkpoint is at line 100
    const agent = startAgent({ hubs: [first.wsUrl], paths: [log], stateFile, args: ['--config', lagging] });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const later = numbered('line', 400, 100);
    for (let i = 0; i < later.length; i += 100) await appendLines(log, later.slice(i, i + 100));
    await watcher.waitForCount(500);

    agent.kill('SIGKILL');
    await agent.exited;
    first = await killAndRestart(first);
    // Back from a state file at line 100; the hub says it holds up to line 500.
    const back = startAgent({ hubs: [first.wsUrl], paths: [log], stateFile });
    processes.push(back);
    await waitForFollowing(back, log);
    const late = await viewer(first);
    await appendSentinel(late, log, 'line sentinel');
    expect(late.texts()).toEqual([...numbered('line', 500), 'line sentinel']);
  });

  it('answers context for a line older than the backlog from history after a restart', async () => {
    const config = join(dir, 'hub.json');
    // A backlog of 4 KiB per file: most of the lines below are only in history.
    await writeFile(config, JSON.stringify({ backlogBytesPerSource: 4096 }));
    let first = await hub(['--config', config]);
    const agent = startAgent({ hubs: [first.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const watcher = await viewer(first);
    const lines = numbered('line', 1000);
    for (let i = 0; i < lines.length; i += 100) await appendLines(log, lines.slice(i, i + 100));
    await watcher.waitForCount(lines.length);
    const oldest = watcher.lines[10]!;

    first = await killAndRestart(first, ['--config', config]);
    const late = await viewer(first, 0);
    const context = await waitFor('the context answer', () => late.client.context(oldest.id, 3, 3));
    expect(context.found).toBe(true);
    expect(context.lines.map((line) => line.line)).toEqual(lines.slice(7, 14));
    expect(context.lines[3]!.id).toBe(oldest.id);
  });

  it('on a full disk keeps delivering, reports the failure in /healthz and /metrics, and recovers by itself', async () => {
    // History on a 1 MiB tmpfs; the database stays on the ordinary disk.
    tmpfs = await new Tmpfs(join(dir, 'hub', 'history'), 1024).mount();
    const running = await hub();
    const agent = startAgent({ hubs: [running.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const watcher = await viewer(running);
    const health = async () => (await (await fetch(`${running.url}/healthz`)).json()) as { status: string; history?: { error: string } };
    expect((await health()).status).toBe('ok');
    // Fill the tmpfs to the last byte.
    await writeFile(join(tmpfs.dir, 'filler'), Buffer.alloc(4096 * 1024)).catch(() => undefined);

    await appendLines(log, numbered('line', 100));
    await watcher.waitForCount(100); // live filtering goes on
    const failing = await waitFor('history to report the failure', async () => {
      const body = await health();
      return body.status === 'degraded' ? body : undefined;
    });
    expect(failing.history?.error).toMatch(/ENOSPC|no space/i);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/^supergrep_history_write_errors_total [1-9]/m);

    await rm(join(tmpfs.dir, 'filler'));
    let round = 0;
    await waitFor('history to be written again', async () => {
      // Writing is retried with the next batch after a second; keep batches coming (bounded by the wait).
      await appendLines(log, [`line after ${round++}`]);
      return (await health()).status === 'ok';
    }, 20_000, 250);
    await appendSentinel(watcher, log, 'line sentinel');
    expect(watcher.texts().slice(0, 100)).toEqual(numbered('line', 100));
    // What was taken in after the recovery is in history: a restarted hub's backlog has it.
    const restarted = await killAndRestart(running);
    const late = await viewer(restarted);
    await waitFor('the sentinel in the backlog', () => late.texts().includes('line sentinel'));
  });
});
