import { appendFile, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventText } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { Collector, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Event `index` of a mixed log: a plain line, a Java trace under its logger line, or a Python traceback. */
function event(index: number): string {
  const id = String(index).padStart(5, '0');
  switch (index % 3) {
    case 0:
      return `INFO plain-${id}`;
    case 1:
      return `ERROR op-${id} failed\njava.lang.IllegalStateException: e-${id}\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n\t... 3 more`;
    default:
      return `Traceback (most recent call last):\n  File "job.py", line ${index}, in run\n    step()\nValueError: v-${id}`;
  }
}

/** An event's text cut in two where a writer writing line by line could leave it between reads. */
function halves(text: string): [string, string] {
  const lines = text.split('\n');
  const cut = Math.max(1, Math.floor(lines.length / 2));
  return [`${lines.slice(0, cut).join('\n')}\n`, `${lines.slice(cut).join('\n')}\n`];
}

describe('agent multi-line events', () => {
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];
  let hub: FakeHub;
  let realHub: TestHub | undefined;
  let dir: string;
  let file: string;
  let stateFile: string;
  let config: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-multiline-'));
    file = join(dir, 'app.log');
    stateFile = join(dir, 'agent-state.json');
    config = await writeJson(join(dir, 'agent-config.json'), FAST_AGENT);
    hub = await FakeHub.start();
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await realHub?.process.stop();
    realHub = undefined;
    await hub.close();
    await cleanup();
  });

  async function agent(args: string[] = [], hubUrl = hub.url): Promise<CliProcess> {
    const started = startAgent({ hubs: [hubUrl], paths: [join(dir, '*.log')], stateFile, args: ['--config', config, ...args] });
    processes.push(started);
    await waitForFollowing(started, file);
    return started;
  }

  /** What the hub received for the file, each event with '\n' between its lines. */
  function received(fileId?: string): string[] {
    const lines = fileId === undefined ? hub.linesOf(file) : (hub.files.get(fileId)?.lines ?? []);
    return lines.map(eventText);
  }

  it('sends an event written across two reads whole, once the lines before it went out', async () => {
    await writeFile(file, '');
    // No flush while the test looks: only the rest of the trace and the line after it end the event.
    await agent(['--multiline-flush', '60s']);
    const trace = event(1);
    const [head, rest] = halves(trace);
    await appendFile(file, `before\n${head}`);
    await waitFor('the line before the trace', () => received().includes('before'));
    await appendFile(file, `${rest}after\n`);
    await waitFor('the line after the trace', () => received().includes('after'));
    expect(received()).toEqual(['before', trace, 'after']);
    expect(hub.problems).toEqual([]);
  });

  it('sends the last event of a file that stopped growing after the flush time, with no further write', async () => {
    await writeFile(file, '');
    await agent(['--multiline-flush', '200ms']);
    const trace = event(2);
    await appendFile(file, `first\n${trace}\n`);
    await waitFor('the flushed trace', () => received().length >= 2);
    expect(received()).toEqual(['first', trace]);
    expect(hub.problems).toEqual([]);
  });

  it('keeps events whole across a rename rotation in the middle of one', async () => {
    await writeFile(file, '');
    await agent(['--multiline-flush', '60s']);
    const writer = await open(file, 'a');
    const old = [event(0), event(1), event(3), event(4)];
    try {
      await writer.write(`${old.slice(0, 3).join('\n')}\n`);
      const [head, rest] = halves(old[3] as string);
      await writer.write(head);
      await waitFor('the events before the held one', () => received().length >= 3);
      // The logger goes on writing to the renamed file, then reopens the path.
      await rename(file, join(dir, 'app.log.1'));
      await writer.write(rest);
    } finally {
      await writer.close();
    }
    // The old file ends with a trace, sent on its final read; the new one with a line that ends its trace.
    const fresh = [event(5), event(6), event(7), event(9)];
    await writeFile(file, `${fresh.join('\n')}\n`);
    await waitFor('both generations, each read to its end', () => received().length >= old.length + fresh.length, 20_000);
    const [oldId, newId] = hub.fileIdsOf(file);
    expect(received(oldId)).toEqual(old);
    expect(received(newId)).toEqual(fresh);
    expect(hub.problems).toEqual([]);
  });

  it('sends every event exactly once and whole across a kill -9 of the agent mid-stream', async () => {
    await writeFile(file, '');
    // Only the lines that follow an event end it here: no flush on a slow machine between two writes.
    const running = await agent(['--multiline-flush', '60s']);
    const total = 300;
    const written: string[] = [];
    let killed = false as boolean;
    for (let index = 0; index < total; index += 1) {
      const text = event(index);
      // Traces go out in two writes, as a logger writing line by line does.
      for (const part of index % 3 === 0 ? [`${text}\n`] : halves(text)) {
        await appendFile(file, part);
        await new Promise((resolve) => setImmediate(resolve));
      }
      written.push(text);
      if (index === 150) {
        await waitFor('some events to reach the hub', () => received().length >= 60);
        // Killed with whatever is in flight or held back, in the middle of the stream.
        running.kill('SIGKILL');
        await running.exited;
        killed = true;
      }
    }
    expect(killed).toBe(true);
    await agent(['--multiline-flush', '60s']);
    await appendFile(file, 'sentinel\n');
    await waitFor('the sentinel', () => received().includes('sentinel'), 30_000);
    expect(received()).toEqual([...written, 'sentinel']);
    expect(hub.problems).toEqual([]);
  });

  it('delivers a whole event to a viewer whose filter matches any line of it', async () => {
    realHub = await startHub({ dataDir: join(dir, 'hub') });
    const viewer = await new Collector(realHub.url, { query: 'IllegalStateException: e-00004' }).ready();
    collectors.push(viewer);
    await writeFile(file, '');
    await agent(['--multiline-flush', '200ms'], realHub.wsUrl);
    await appendFile(file, `${[event(3), event(4), event(5)].join('\n')}\n`);
    await waitFor('the matching event', () => viewer.lines.length >= 1);
    expect(viewer.texts().map(eventText)).toEqual([event(4)]);
  });
});
