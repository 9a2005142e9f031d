import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

describe('agent following files', () => {
  const agents = new Set<Agent>();
  let hub: FakeHub;
  let dir: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-follow-'));
    stateFile = join(dir, 'state', 'agent-state.json');
    hub = await FakeHub.start();
  });

  afterEach(async () => {
    await stopAll(agents);
    await hub.close();
    await cleanup();
  });

  it('sends appended lines in order, each once, and says hello with its name', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    const expected: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      const lines = numberedLines(`r${round}`, 0, 50);
      expected.push(...lines);
      await appendLines(file, lines);
    }
    await waitFor('all appended lines', () => hub.linesOf(file).length >= expected.length);
    expect(hub.linesOf(file)).toEqual(expected);
    expect(hub.hellos[0]).toMatchObject({ type: 'hello', host: 'test-host', agentVersion: expect.any(String) });
    await waitFor('every batch acknowledged', () => agent.stats().batchesAcked === agent.stats().batchesSent);
    expect(agent.stats()).toMatchObject({ linesRead: expected.length, filesFollowed: 1, connected: true, inflightBytes: 0 });
    expect(hub.problems).toEqual([]);
  });

  it('starts existing files at their end, but at their start with fromStart', async () => {
    const file = join(dir, 'old.log');
    await appendLines(file, ['old 1', 'old 2']);
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await appendLines(file, ['new 1']);
    await waitFor('the new line', () => hub.linesOf(file).length >= 1);
    expect(hub.linesOf(file)).toEqual(['new 1']);
    await stopAll(agents);

    const second = await FakeHub.start();
    try {
      await startTestAgent({ hubs: [second.url], paths: [file], stateFile: join(dir, 'other-state.json'), fromStart: true }, agents);
      await waitFor('the whole file', () => second.linesOf(file).length >= 3);
      expect(second.linesOf(file)).toEqual(['old 1', 'old 2', 'new 1']);
    } finally {
      await stopAll(agents);
      await second.close();
    }
  });

  it('sends a line half-written at start-up whole, once it is finished', async () => {
    const file = join(dir, 'partial.log');
    await writeFile(file, 'complete\nhalf a li');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await appendFile(file, 'ne\nnext\n');
    await waitFor('the finished line', () => hub.linesOf(file).length >= 2);
    expect(hub.linesOf(file)).toEqual(['half a line', 'next']);
  });

  it('follows files created later that match a glob, from their start', async () => {
    const logs = join(dir, 'logs');
    await mkdir(logs);
    await appendLines(join(logs, 'before.log'), ['existing line']);
    await startTestAgent({ hubs: [hub.url], paths: [join(logs, '*.log')], stateFile }, agents);
    const later = join(logs, 'later.log');
    await appendLines(later, ['first', 'second']);
    await appendLines(join(logs, 'ignored.txt'), ['not matched']);
    await waitFor('the new file', () => hub.linesOf(later).length >= 2);
    expect(hub.linesOf(later)).toEqual(['first', 'second']);
    expect(hub.linesOf(join(logs, 'before.log'))).toEqual([]);
    expect(hub.linesOf(join(logs, 'ignored.txt'))).toEqual([]);
  });

  it('finds a glob whose directory is created after start-up', async () => {
    const logs = join(dir, 'not-yet');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [join(logs, '*.log')], stateFile }, agents);
    await mkdir(logs);
    const file = join(logs, 'late.log');
    await appendLines(file, ['from a late directory']);
    await waitFor('the late file', () => hub.linesOf(file).length >= 1);
    expect(hub.linesOf(file)).toEqual(['from a late directory']);
    // Once the directory is watched, new files there are found by their events too.
    await appendLines(join(logs, 'later.log'), ['x']);
    await waitFor('the second late file', () => hub.linesOf(join(logs, 'later.log')).length >= 1);
    expect(agent.stats().filesFollowed).toBe(2);
  });

  it('strips CRLF and replaces invalid UTF-8', async () => {
    const file = join(dir, 'mixed.log');
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await appendFile(file, Buffer.concat([Buffer.from('windows line\r\nbad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes\nplain\n')]));
    await waitFor('three lines', () => hub.linesOf(file).length >= 3);
    expect(hub.linesOf(file)).toEqual(['windows line', 'bad \uFFFD\uFFFD bytes', 'plain']);
    expect(hub.problems).toEqual([]);
  });

  it('cuts a 5 MiB line, counts what it dropped, and keeps the next line intact', async () => {
    const file = join(dir, 'huge.log');
    await writeFile(file, '');
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, maxLineBytes: 64 * 1024 }, agents);
    const huge = 'y'.repeat(5 * 1024 * 1024);
    await appendFile(file, `${huge}\nnormal line\n`);
    await waitFor('both lines', () => hub.linesOf(file).length >= 2);
    const [cut, normal] = hub.linesOf(file);
    expect(cut).toBe('y'.repeat(64 * 1024));
    expect(normal).toBe('normal line');
    const [received] = hub.files.values();
    expect(received).toMatchObject({ truncatedLines: 1, droppedBytes: huge.length - 64 * 1024 });
    expect(agent.stats()).toMatchObject({ truncatedLines: 1, droppedBytes: huge.length - 64 * 1024 });
    // Batches end on true line boundaries: the last one ends at the end of the file.
    expect(hub.batches.at(-1)?.endOffset).toBe(huge.length + 1 + 'normal line\n'.length);
  });
});
