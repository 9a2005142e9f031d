import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { FAST_AGENT, latestStats, readAgentState, waitForCheckpointAtEnd, waitForStats, writeJson } from '../helpers/reliability.js';
import { appendLines, appendSentinel, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { Tmpfs } from '../helpers/tmpfs.js';

/**
 * The agent's state directory misbehaving under a real agent process: full, read-only, a state file
 * corrupted or half-written while the agent was down. Each time the agent keeps running, says so in
 * its logs and its stats, and loses no line whose bytes are still on disk.
 */
describe('agent state directory faults', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let log: string;
  let stateDir: string;
  let stateFile: string;
  let config: string;
  let tmpfs: Tmpfs | undefined;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-state-faults-'));
    hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    log = join(dir, 'app.log');
    await writeFile(log, '');
    stateDir = join(dir, 'state');
    stateFile = join(stateDir, 'agent.json');
    config = await writeJson(join(dir, 'agent-config.json'), FAST_AGENT);
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await tmpfs?.unmount();
    tmpfs = undefined;
    await cleanup();
  });

  function agent(): CliProcess {
    const process = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile, args: ['--config', config] });
    processes.push(process);
    return process;
  }

  async function viewer(): Promise<Collector> {
    const collector = new Collector(hub.url, { query: '^line ' });
    collectors.push(collector);
    return collector.ready();
  }

  /** Fills the file system under `where` to the last byte (ENOSPC), returns the filler to delete later. */
  async function fill(where: string): Promise<string> {
    const filler = join(where, 'filler');
    const chunk = Buffer.alloc(4096, 0x61);
    for (let written = 0; written < 1024; written += 1) {
      try {
        await writeFile(filler, chunk, { flag: 'a' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return filler;
        throw error;
      }
    }
    throw new Error(`${where} never filled up`);
  }

  it('keeps delivering when the state directory is full, reports it, and catches up once space is freed', async () => {
    tmpfs = await new Tmpfs(stateDir, 64).mount();
    const first = agent();
    await waitForFollowing(first, log);
    const watcher = await viewer();
    await appendLines(log, numbered('line', 100));
    await waitForCheckpointAtEnd(stateFile, log);

    const filler = await fill(stateDir);
    const whileFull = numbered('line', 200, 100);
    await appendLines(log, whileFull);
    await watcher.waitForCount(300);
    const failure = await first.waitForLog('a failed state write', (r) => r.msg === 'cannot write the agent state file; will retry');
    expect(failure).toMatchObject({ level: 50, err: expect.objectContaining({ code: 'ENOSPC' }) });
    const stats = await waitForStats(first, 'checkpoint errors counted', (s) => Number(s.checkpointErrors) > 0 && s.connected === true);
    expect(stats.linesRead).toBeGreaterThanOrEqual(300);
    expect(first.running).toBe(true);
    // The state file on disk is the last one that fit: still valid, still at the old offset.
    expect((await readAgentState(stateFile))?.[0]?.offset).toBe(100 * 'line 000000\n'.length);

    await rm(filler);
    await first.waitForLog('the recovery', (r) => r.msg === 'agent state file written again' && Number(r.failedWrites) > 0);
    await waitForCheckpointAtEnd(stateFile, log);

    // The checkpoint written after recovery is the one a crash resumes from.
    first.kill('SIGKILL');
    await first.exited;
    await appendLines(log, numbered('line', 100, 300));
    await waitForFollowing(agent(), log);
    await appendSentinel(watcher, log, 'line sentinel');
    expect(watcher.texts()).toEqual([...numbered('line', 400), 'line sentinel']);
  });

  it('starts and delivers with a full state directory, and a crash then loses nothing', async () => {
    tmpfs = await new Tmpfs(stateDir, 64).mount();
    const first = agent();
    await waitForFollowing(first, log);
    const watcher = await viewer();
    await appendLines(log, numbered('line', 50));
    await waitForCheckpointAtEnd(stateFile, log);
    first.kill('SIGKILL');
    await first.exited;

    const filler = await fill(stateDir);
    await appendLines(log, numbered('line', 50, 50));
    const second = agent();
    await waitForFollowing(second, log);
    await appendLines(log, numbered('line', 50, 100));
    await watcher.waitForCount(150);
    await waitForStats(second, 'checkpoint errors counted', (s) => Number(s.checkpointErrors) > 0);
    // Killed while nothing could be saved: the restart resumes from the old checkpoint and the
    // hub's resume point, which covers what it already holds.
    second.kill('SIGKILL');
    await second.exited;
    await appendLines(log, numbered('line', 50, 150));
    const third = agent();
    await waitForFollowing(third, log);
    await watcher.waitForCount(200);
    // (The third agent may find a page free: its start removes what the killed one's last write left.)
    await rm(filler);
    await waitForCheckpointAtEnd(stateFile, log);
    expect(watcher.texts()).toEqual(numbered('line', 200));
  });

  it('keeps delivering while the state directory is read-only, and recovers when it is writable again', async () => {
    tmpfs = await new Tmpfs(stateDir, 256).mount();
    const first = agent();
    await waitForFollowing(first, log);
    const watcher = await viewer();
    await appendLines(log, numbered('line', 100));
    await waitForCheckpointAtEnd(stateFile, log);

    await tmpfs.remount('ro');
    await appendLines(log, numbered('line', 100, 100));
    await watcher.waitForCount(200);
    const failure = await first.waitForLog('a failed state write', (r) => r.msg === 'cannot write the agent state file; will retry');
    expect(failure).toMatchObject({ err: expect.objectContaining({ code: 'EROFS' }) });
    await waitForStats(first, 'checkpoint errors counted', (s) => Number(s.checkpointErrors) > 0);
    expect(first.running).toBe(true);

    await tmpfs.remount('rw');
    await first.waitForLog('the recovery', (r) => r.msg === 'agent state file written again');
    await waitForCheckpointAtEnd(stateFile, log);
    await appendLines(log, numbered('line', 100, 200));
    await appendSentinel(watcher, log, 'line sentinel');
    expect(watcher.texts()).toEqual([...numbered('line', 300), 'line sentinel']);
    expect((latestStats(first)?.checkpointErrors as number) > 0).toBe(true);
  });

  it('resumes from the previous copy after the state file was corrupted and half-written while the agent was down', async () => {
    const first = agent();
    await waitForFollowing(first, log);
    const watcher = await viewer();
    for (let i = 0; i < 100; i += 20) {
      await appendLines(log, numbered('line', 20, i));
      await waitForCheckpointAtEnd(stateFile, log);
    }
    first.kill('SIGKILL');
    await first.exited;

    // What a crash of something else, or a disk, could leave: the state file cut in the middle, and a
    // temporary file of a write that never finished.
    const text = await readFile(stateFile, 'utf8');
    await writeFile(stateFile, text.slice(0, Math.floor(text.length / 2)));
    await writeFile(join(stateDir, '.agent.json.tmp-99999-deadbeef'), text.slice(0, 10));
    // Written while the agent is down: only a checkpoint can tell where the agent had got to.
    await appendLines(log, numbered('line', 100, 100));

    const second = agent();
    const warning = await second.waitForLog('the corruption to be reported', (r) => typeof r.msg === 'string' && r.msg.includes('corrupted'));
    expect(warning).toMatchObject({ level: 40, msg: expect.stringContaining('previous copy'), reason: expect.stringContaining('JSON') });
    await waitForFollowing(second, log);
    await appendLines(log, numbered('line', 100, 200));
    await appendSentinel(watcher, log, 'line sentinel');
    expect(watcher.texts()).toEqual([...numbered('line', 300), 'line sentinel']);
    const names = await readdir(stateDir);
    expect(names.some((name) => name.startsWith('agent.json.corrupt-'))).toBe(true);
    expect(names.some((name) => name.includes('.tmp-'))).toBe(false);
    expect(second.running).toBe(true);
  });

  it('starts fresh, reporting it, when the state file and its previous copy are both unusable', async () => {
    const first = agent();
    await waitForFollowing(first, log);
    const watcher = await viewer();
    await appendLines(log, numbered('line', 10));
    await waitForCheckpointAtEnd(stateFile, log);
    first.kill('SIGKILL');
    await first.exited;
    await writeFile(stateFile, '\u0000\u0000\u0000');
    await writeFile(`${stateFile}.prev`, '{"version":1,"files":[{');

    const second = agent();
    const warning = await second.waitForLog('the corruption to be reported', (r) => typeof r.msg === 'string' && r.msg.includes('corrupted'));
    expect(warning).toMatchObject({ level: 40, msg: expect.stringContaining('starting fresh') });
    await waitForFollowing(second, log);
    // Without any checkpoint the file is followed from its end, as on a first start.
    await appendLines(log, numbered('line', 10, 10));
    await watcher.waitForCount(20);
    expect(watcher.texts()).toEqual(numbered('line', 20));
    expect(second.running).toBe(true);
  });
});
