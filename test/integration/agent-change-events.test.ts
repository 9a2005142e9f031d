import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Far longer than any wait below: what arrives in time was read because of a change event. */
const SLOW_POLL_MS = 60_000;

/** inotify watches this process holds (Linux: one "inotify wd:" line per watch in the fdinfo of an inotify descriptor). */
function inotifyWatchCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing (the listing's own descriptor)
    }
    if (target !== 'anon_inode:inotify') continue;
    count += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}

const onLinux = process.platform === 'linux';

describe('agent reading on change events', () => {
  const agents = new Set<Agent>();
  let hub: FakeHub;
  let dir: string;
  let file: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-events-'));
    file = join(dir, 'app.log');
    stateFile = join(dir, 'agent-state.json');
    hub = await FakeHub.start();
  });

  afterEach(async () => {
    await stopAll(agents);
    await hub.close();
    await cleanup();
  });

  it('sends a line appended to a followed file long before the poll would have seen it', async () => {
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, pollIntervalMs: SLOW_POLL_MS, rescanIntervalMs: SLOW_POLL_MS }, agents);
    await waitFor('the agent to connect', () => hub.connectionCount >= 1);
    // With the poll (and the rescan) a minute apart, only a change event can have the agent read
    // each line within the wait's bound; the ten lines, one after the other, take ten of them.
    const bound = SLOW_POLL_MS / 4;
    for (let round = 0; round < 10; round += 1) {
      await appendLines(file, [`line ${round}`]);
      await waitFor(`line ${round}`, () => hub.linesOf(file).length > round, bound, 1);
    }
    expect(hub.linesOf(file)).toEqual(Array.from({ length: 10 }, (_, round) => `line ${round}`));
  });

  it('reads many busy files, each line once and in order, with the reads paced', async () => {
    const files = Array.from({ length: 8 }, (_, i) => join(dir, `busy-${i}.log`));
    for (const name of files) await writeFile(name, '');
    const { agent } = await startTestAgent(
      { hubs: [hub.url], paths: [join(dir, 'busy-*.log')], stateFile, pollIntervalMs: SLOW_POLL_MS, changeReadsPerSecond: 100 },
      agents,
    );
    await waitFor('every file followed', () => agent.stats().filesFollowed === files.length);
    const rounds = 40;
    for (let round = 0; round < rounds; round += 1) {
      for (const name of files) await appendLines(name, [`r${round}`]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const name of files) await waitFor(`the lines of ${name}`, () => hub.linesOf(name).length >= rounds, 10_000);
    for (const name of files) expect(hub.linesOf(name)).toEqual(Array.from({ length: rounds }, (_, round) => `r${round}`));
    // 8 files written every ~5 ms and read at most 100 times a second in all: far fewer batches than writes.
    expect(agent.stats().batchesSent).toBeLessThan((files.length * rounds) / 2);
  });

  it('reads a file written fast enough to fill reads more often than the budget allows, the others at its pace', async () => {
    const files = Array.from({ length: 4 }, (_, i) => join(dir, `busy-${i}.log`));
    for (const name of files) await writeFile(name, '');
    const [fast, ...slow] = files as [string, ...string[]];
    // 10 reads a second for 4 busy files: each is read every 400 ms, unless it fills reads sooner.
    const { agent } = await startTestAgent(
      { hubs: [hub.url], paths: [join(dir, 'busy-*.log')], stateFile, pollIntervalMs: SLOW_POLL_MS, changeReadsPerSecond: 10 },
      agents,
    );
    await waitFor('every file followed', () => agent.stats().filesFollowed === files.length);
    // The fast file gets 32 KiB every 10 ms (16 KiB every 5 ms); the others a short line each round.
    const pad = 'x'.repeat(500);
    const startedAt = performance.now();
    let round = 0;
    for (; performance.now() - startedAt < 1_600; round += 1) {
      await appendLines(fast, numberedLines(`f${round}`, 0, 64, pad));
      for (const name of slow) await appendLines(name, [`r${round}`]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const name of slow) await waitFor(`the lines of ${name}`, () => hub.linesOf(name).length >= round, 10_000);
    await waitFor('the lines of the fast file', () => hub.linesOf(fast).length >= round * 64, 10_000);
    for (const name of slow) expect(hub.linesOf(name)).toEqual(Array.from({ length: round }, (_, r) => `r${r}`));
    expect(hub.linesOf(fast)).toEqual(Array.from({ length: round }, (_, r) => numberedLines(`f${r}`, 0, 64, pad)).flat());
    const batchesOf = (name: string) => hub.batches.filter((batch) => batch.file === name).length;
    // 1.6 s at 400 ms apart is about 4 reads (and the few before the pace was known); the fast file
    // is read every few rounds at least.
    for (const name of slow) expect(batchesOf(name)).toBeLessThanOrEqual(12);
    expect(batchesOf(fast)).toBeGreaterThan(round / 4);
  });

  it.runIf(onLinux)('turns change events off while many files are busy, reads them on a timer, follows a busy file through rotation', async () => {
    const watchesBefore = inotifyWatchCount();
    const files = Array.from({ length: 8 }, (_, i) => join(dir, `busy-${i}.log`));
    for (const name of files) await writeFile(name, '');
    // 8 busy files at 100 reads/s: 80 ms between a file's reads, far enough apart to stop events.
    const { agent } = await startTestAgent(
      { hubs: [hub.url], paths: [join(dir, 'busy-*.log')], stateFile, pollIntervalMs: 500, rotatedIdleCloseMs: 100, changeReadsPerSecond: 100 },
      agents,
    );
    await waitFor('every file followed', () => agent.stats().filesFollowed === files.length);
    expect(inotifyWatchCount()).toBe(watchesBefore + files.length);

    const rotated = files[0]!;
    const expected = new Map(files.map((name) => [name, [] as string[]]));
    let fewestWatches = Number.POSITIVE_INFINITY;
    const rounds = 60;
    let renamedWriter: Awaited<ReturnType<typeof open>> | undefined;
    for (let round = 0; round < rounds; round += 1) {
      if (round === 30) {
        // Rotation of a busy file: renamed away, written to a little longer, then a new file.
        renamedWriter = await open(rotated, 'a');
        await rename(rotated, `${rotated}.1`);
      }
      for (const name of files) {
        // Rounds 30-34 of the rotated file go to the renamed file, through the writer's open handle.
        const late = name === rotated && renamedWriter !== undefined && round < 35;
        const line = late ? `late-r${round}` : `r${round}`;
        if (late) await renamedWriter!.write(`${line}\n`);
        else await appendLines(name, [line]);
        expected.get(name)!.push(line);
      }
      if (round === 35) await renamedWriter!.close();
      fewestWatches = Math.min(fewestWatches, inotifyWatchCount() - watchesBefore);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const name of files) {
      const want = expected.get(name)!;
      await waitFor(`the lines of ${name}`, () => hub.linesOf(name).length >= want.length, 10_000);
      expect(hub.linesOf(name)).toEqual(want);
    }
    expect(hub.fileIdsOf(rotated)).toHaveLength(2);
    expect(hub.problems).toEqual([]);
    // While busy, most files were read on the timer with their watch closed.
    expect(fewestWatches).toBeLessThan(files.length / 2);
    // Quiet again: every open file has its watch back (the rotated-away one is closed).
    await waitFor(
      'the watches back on',
      () => agent.stats().filesFollowed === files.length && inotifyWatchCount() === watchesBefore + files.length,
      10_000,
    );
  });

  it('follows rename+create rotation without waiting for the poll', async () => {
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, pollIntervalMs: SLOW_POLL_MS }, agents);
    await waitFor('the agent to connect', () => hub.connectionCount >= 1);
    const writer = await open(file, 'a');
    const before = numberedLines('before', 0, 100);
    await writer.write(before.map((line) => `${line}\n`).join(''));
    await waitFor('the lines before rotation', () => hub.linesOf(file).length >= before.length);
    await rename(file, `${file}.1`);
    // The application goes on writing to the renamed file for a while, as a real logger does.
    const late = numberedLines('late', 0, 50);
    await writer.write(late.map((line) => `${line}\n`).join(''));
    await writer.close();
    const after = numberedLines('after', 0, 100);
    await appendLines(file, after);
    await waitFor('every line', () => hub.linesOf(file).length >= before.length + late.length + after.length, 10_000);
    expect(hub.linesOf(file)).toEqual([...before, ...late, ...after]);
    expect(hub.fileIdsOf(file)).toHaveLength(2);
    expect(hub.problems).toEqual([]);
  });

  it.runIf(onLinux)('holds one inotify watch per open file and releases it when the file is closed or the agent stops', async () => {
    const watchesBefore = inotifyWatchCount();
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, rotatedIdleCloseMs: 100 }, agents);
    await waitFor('the file to be followed', () => agent.stats().filesFollowed === 1);
    expect(inotifyWatchCount()).toBe(watchesBefore + 1);

    // Rotation: the old file keeps its watch until it is read out and closed; the new one has its own.
    await appendLines(file, ['old']);
    await rename(file, `${file}.1`);
    await appendLines(file, ['new']);
    await waitFor('both lines', () => hub.linesOf(file).length >= 2);
    await waitFor('the rotated-away file to be closed', () => agent.stats().filesFollowed === 1, 10_000);
    await waitFor('the rotated-away file\'s watch to be released', () => inotifyWatchCount() === watchesBefore + 1, 10_000);

    // Deletion: read to its end through the open descriptor, closed, and its watch gone with it.
    await appendLines(file, ['last']);
    await rm(file);
    await waitFor('the last line', () => hub.linesOf(file).length >= 3);
    await waitFor('the deleted file to be closed', () => agent.stats().filesFollowed === 0, 10_000);
    // The watch goes with the descriptor, which is closed just after the file leaves the stats.
    await waitFor('the deleted file\'s watch to be released', () => inotifyWatchCount() === watchesBefore, 10_000);
    // Each line once. A rotated-away file and the one that replaced it may interleave
    // (docs/protocol.md, "Order"); within the new file, 'new' comes before 'last'.
    const lines = hub.linesOf(file);
    expect([...lines].sort()).toEqual(['last', 'new', 'old']);
    expect(lines.indexOf('new')).toBeLessThan(lines.indexOf('last'));

    await writeFile(file, '');
    await waitFor('the re-created file to be followed', () => agent.stats().filesFollowed === 1, 10_000);
    expect(inotifyWatchCount()).toBe(watchesBefore + 1);
    await stopAll(agents);
    expect(inotifyWatchCount()).toBe(watchesBefore);
  });
});
