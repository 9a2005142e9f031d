import { appendFile, copyFile, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { waitForCheckpointAtEnd } from '../helpers/reliability.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Lines sorted, to compare lines from several generations (whose relative order is free) with what was written. */
function sortedCopy(lines: string[]): string[] {
  return [...lines].sort();
}

describe('agent across rotation', () => {
  const agents = new Set<Agent>();
  let hub: FakeHub;
  let dir: string;
  let file: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-rotation-'));
    file = join(dir, 'app.log');
    stateFile = join(dir, 'agent-state.json');
    hub = await FakeHub.start();
  });

  afterEach(async () => {
    await stopAll(agents);
    await hub.close();
    await cleanup();
  });

  it('reads the old file to its end after rename+create while the writer keeps appending', async () => {
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    const all = numberedLines('line', 0, 3_000);
    // The writer holds its file open like a real logger: after the rename it goes on writing to the
    // old file for a while, then reopens the path (and so creates the new file).
    const oldWriter = await open(file, 'a');
    try {
      for (let index = 0; index < 2_000; index += 20) {
        if (index === 1_000) await rename(file, join(dir, 'app.log.1'));
        await oldWriter.write(all.slice(index, index + 20).map((line) => `${line}\n`).join(''));
      }
    } finally {
      await oldWriter.close();
    }
    const newWriter = await open(file, 'a');
    try {
      for (let index = 2_000; index < 3_000; index += 20) await newWriter.write(all.slice(index, index + 20).map((line) => `${line}\n`).join(''));
    } finally {
      await newWriter.close();
    }
    await waitFor('every line', () => hub.linesOf(file).length >= all.length);
    expect(sortedCopy(hub.linesOf(file))).toEqual(all);
    // Two generations, both reported under the path the agent knew them by, each in order.
    const [oldId, newId] = hub.fileIdsOf(file);
    expect(hub.files.get(oldId as string)?.lines).toEqual(all.slice(0, 2_000));
    expect(hub.files.get(newId as string)?.lines).toEqual(all.slice(2_000));
    // The rotated-away file is closed once read out, acknowledged and idle.
    await waitFor('the old file to be closed', () => agent.stats().filesFollowed === 1);
    expect(hub.problems).toEqual([]);
  });

  it('restarts at 0 under a new fileId after copytruncate', async () => {
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    const before = numberedLines('before', 0, 100);
    await appendLines(file, before);
    await waitFor('the first lines', () => hub.linesOf(file).length >= before.length);
    await copyFile(file, join(dir, 'app.log.1'));
    await truncate(file, 0);
    const after = numberedLines('after', 0, 10);
    await appendLines(file, after);
    await waitFor('the lines after truncation', () => hub.linesOf(file).length >= before.length + after.length);
    expect(hub.linesOf(file)).toEqual([...before, ...after]);
    const ids = hub.fileIdsOf(file);
    expect(ids).toHaveLength(2);
    expect(ids[0]?.split('.')[0]).toBe(ids[1]?.split('.')[0]);
    expect(hub.problems).toEqual([]);
  });

  it('notices a file truncated and rewritten past the old offset at once', async () => {
    const first = numberedLines('line', 0, 30);
    await appendLines(file, first);
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, fromStart: true }, agents);
    await waitFor('the first lines', () => hub.linesOf(file).length >= first.length);
    // One writeFile truncates and writes: the file never looks smaller than before to a size check,
    // and lines of the same length put a '\n' right before the old offset again. Only the bytes
    // before the offset having changed can give it away.
    const rewritten = numberedLines('line', 1_000, 60);
    await writeFile(file, rewritten.map((line) => `${line}\n`).join(''));
    await waitFor('the rewritten lines', () => hub.linesOf(file).length >= first.length + rewritten.length);
    expect(hub.linesOf(file)).toEqual([...first, ...rewritten]);
    expect(hub.fileIdsOf(file)).toHaveLength(2);
    expect(hub.problems).toEqual([]);
  });

  it('reads a deleted file to its end through the open handle, then closes it', async () => {
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, pollIntervalMs: 1_000 }, agents);
    await waitFor('the file to be followed', () => agent.stats().filesFollowed === 1);
    // Written and deleted at once: the agent gets to the lines only through its open descriptor.
    const writer = await open(file, 'a');
    await rm(file);
    await writer.write('written after unlink\nsecond\n');
    await writer.close();
    await waitFor('the lines of the deleted file', () => hub.linesOf(file).length >= 2, 10_000);
    expect(hub.linesOf(file)).toEqual(['written after unlink', 'second']);
    await waitFor('the deleted file to be closed', () => agent.stats().filesFollowed === 0, 10_000);
  });

  it('keeps a deleted file open until its last lines are acknowledged', async () => {
    await hub.close();
    hub = await FakeHub.start({ autoAck: false, resume: 'none' });
    await writeFile(file, '');
    const rotatedIdleCloseMs = 100;
    const pollIntervalMs = 50;
    const { agent, records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, rotatedIdleCloseMs, pollIntervalMs }, agents);
    const lines = numberedLines('unacked', 0, 10);
    await appendLines(file, lines);
    await waitFor('the lines, unacknowledged', () => hub.linesOf(file).length >= lines.length);
    await rm(file);
    const gone = await waitFor('the agent to see the file gone', () => records.find((record) => record.msg === 'file renamed away or deleted; reading it to its end'));
    // Long enough past the idle time that a file closed without waiting for acks would be closed now.
    await waitFor('the idle time to pass', () => Date.now() >= (gone.time as number) + rotatedIdleCloseMs + 4 * pollIntervalMs);
    expect(agent.stats().filesFollowed).toBe(1);
    // The hub goes away without acknowledging: the lines can only come again from the open file.
    hub.dropConnections();
    await waitFor('the agent to connect again', () => hub.connectionCount >= 2);
    hub.setAutoAck(true);
    await waitFor('the lines again', () => hub.linesOf(file).length >= 2 * lines.length);
    expect(hub.linesOf(file)).toEqual([...lines, ...lines]);
    await waitFor('the file to be closed once acknowledged', () => agent.stats().filesFollowed === 0);
  });

  it('sends the partial last line of a rotated-away file when it closes it', async () => {
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await appendFile(file, 'whole\nno newline at the end');
    await waitFor('the whole line', () => hub.linesOf(file).length >= 1);
    await rename(file, join(dir, 'app.log.1'));
    await waitFor('the partial line at close', () => hub.linesOf(file).length >= 2);
    expect(hub.linesOf(file)).toEqual(['whole', 'no newline at the end']);
    await waitFor('the file to be closed', () => agent.stats().filesFollowed === 0);
  });

  it('acknowledges every file to its end after a copytruncate, a rename and more appends', async () => {
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file, `${file}.*`], stateFile }, agents);
    const before = numberedLines('before', 0, 30);
    await appendLines(file, before);
    await waitFor('the first lines', () => hub.linesOf(file).length >= before.length);
    await copyFile(file, join(dir, 'copy-of-app-log'));
    await truncate(file, 0);
    const rotated = join(dir, 'app.log.1');
    await rename(file, rotated);
    // The writer still has the truncated file open; the next one writes to the path again.
    const late = numberedLines('late', 0, 5);
    const fresh = numberedLines('fresh', 0, 5);
    await appendLines(rotated, late);
    await appendLines(file, fresh);
    await waitFor('every line', () => hub.linesOf(file).length >= before.length + late.length + fresh.length);
    expect(sortedCopy(hub.linesOf(file))).toEqual(sortedCopy([...before, ...late, ...fresh]));
    await waitForCheckpointAtEnd(stateFile, rotated);
    await waitForCheckpointAtEnd(stateFile, file);
    expect(hub.problems).toEqual([]);
  });

  it('acknowledges a renamed-away file to its end once it sent its unfinished line, also when it finds the file again', async () => {
    await writeFile(file, '');
    const { records } = await startTestAgent({ hubs: [hub.url], paths: [file, `${file}.*`], stateFile }, agents);
    await appendFile(file, 'whole\nunfinished');
    await waitFor('the whole line', () => hub.linesOf(file).length >= 1);
    // Renamed to a name the agent does not follow, so it closes the file before it can find it again.
    const parked = join(dir, 'parked');
    await rename(file, parked);
    await waitFor('the renamed file to be closed', () => records.some((record) => record.msg === 'closed file that was read to its end'));
    expect(hub.linesOf(file)).toEqual(['whole', 'unfinished']);
    await waitForCheckpointAtEnd(stateFile, parked);
    const rotated = join(dir, 'app.log.1');
    await rename(parked, rotated);
    const followed = await waitFor('the file to be followed again', () => records.find((record) => record.msg === 'following file' && record.path === rotated));
    expect(followed).toMatchObject({ from: 'checkpoint', offset: 16, size: 16 });
    await appendFile(rotated, 'sentinel\n');
    await waitFor('the sentinel', () => hub.linesOf(file).length >= 3);
    expect(hub.linesOf(file)).toEqual(['whole', 'unfinished', 'sentinel']);
    await waitForCheckpointAtEnd(stateFile, rotated);
    expect(hub.problems).toEqual([]);
  });

  it('follows a file renamed to another matching name once, under its first name', async () => {
    const glob = join(dir, 'app.log*');
    await writeFile(file, '');
    const { agent, records } = await startTestAgent({ hubs: [hub.url], paths: [glob], stateFile }, agents);
    await appendLines(file, ['one']);
    await waitFor('the first line', () => hub.linesOf(file).length >= 1);
    const rotated = join(dir, 'app.log.1');
    await rename(file, rotated);
    await appendLines(rotated, ['two, written to the renamed file']);
    await appendLines(file, ['three, in the new file']);
    await waitFor('all three lines', () => hub.batches.reduce((sum, batch) => sum + batch.lineCount, 0) >= 3);
    // The agent has looked at app.log.1 and recognised the file it already follows.
    await waitFor('the renamed file to be recognised', () =>
      records.some((record) => record.msg === 'file is followed already under another name' && record.path === rotated),
    );
    expect(hub.linesOf(rotated)).toEqual([]);
    expect(sortedCopy(hub.linesOf(file))).toEqual(['one', 'three, in the new file', 'two, written to the renamed file']);
    expect(agent.stats().filesFollowed).toBe(2);
    expect(hub.problems).toEqual([]);
  });
});
