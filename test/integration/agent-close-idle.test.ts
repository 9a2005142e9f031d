import { appendFileSync, readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendSentinel, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** Descriptors the process holds open on files under `dir` (from /proc/<pid>/fd). */
function openFilesUnder(pid: number, dir: string): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${dir}/`)) count += 1;
    } catch {
      // Closed between the listing and the look.
    }
  }
  return count;
}

/** Short, so that the tests see files closed soon; long enough that a file just written is seen open. */
const CLOSE_IDLE = '2s';

function copies(collector: Collector, line: string): number {
  return collector.texts().filter((text) => text === line).length;
}

describe('agent closing idle files', () => {
  let dir: string;
  let logs: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let collector: Collector;
  const processes: CliProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-close-idle-'));
    logs = join(dir, 'logs');
    await mkdir(logs);
    stateFile = join(dir, 'agent-state.json');
    hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    collector = await new Collector(hub.url, { query: 'line' }, { backlog: 0 }).ready();
  });

  afterEach(async () => {
    collector.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await cleanup();
  });

  function agent(): CliProcess {
    const started = startAgent({ hubs: [hub.wsUrl], paths: [join(logs, '*.log')], stateFile, args: ['--close-idle', CLOSE_IDLE] });
    processes.push(started);
    return started;
  }

  async function seed(count: number): Promise<string[]> {
    const files = Array.from({ length: count }, (_, i) => join(logs, `app-${String(i).padStart(2, '0')}.log`));
    for (const file of files) await writeFile(file, `seed of ${file}\n`);
    return files;
  }

  async function followedAndClosed(running: CliProcess, files: string[]): Promise<void> {
    for (const file of files) await waitForFollowing(running, file);
    await waitFor('every idle file closed', () => openFilesUnder(running.pid, logs) === 0, 20_000);
  }

  it('closes idle files and reads an append to a closed file exactly once', async () => {
    const files = await seed(3);
    const running = agent();
    for (const file of files) await waitForFollowing(running, file);
    // Written to, so open (and read), then closed once idle: the descriptors go.
    await Promise.all(files.map((file, i) => appendFile(file, `line warm ${i}\n`)));
    await waitFor('the lines', () => collector.texts().length >= files.length);
    await waitFor('the files open', () => openFilesUnder(running.pid, logs) === files.length);
    await followedAndClosed(running, files);
    collector.lines.splice(0);

    const [first] = files as [string];
    await appendFile(first, 'line after close\n');
    await waitFor('the appended line', () => copies(collector, 'line after close') >= 1);
    await appendSentinel(collector, first, 'line sentinel 1');
    expect(copies(collector, 'line after close')).toBe(1);

    // Closed again once idle, and read again: the offset kept across closings.
    await waitFor('the file closed again', () => openFilesUnder(running.pid, logs) === 0, 20_000);
    await appendFile(first, 'line after second close\n');
    await appendSentinel(collector, first, 'line sentinel 2');
    expect(collector.texts()).toEqual(['line after close', 'line sentinel 1', 'line after second close', 'line sentinel 2']);
  });

  it('reads appends to many closed files, each line once', async () => {
    const files = await seed(40);
    const running = agent();
    await followedAndClosed(running, files);
    await Promise.all(files.map((file, i) => appendFile(file, `line many ${i}\n`)));
    await Promise.all(files.map((file, i) => appendSentinel(collector, file, `line end ${i}`)));
    for (const [i] of files.entries()) expect(copies(collector, `line many ${i}`), `line many ${i}`).toBe(1);
    expect(collector.texts()).toHaveLength(2 * files.length);
  });

  it('reads a closed file that was written to and rotated, then the new file, each line once', async () => {
    const [file] = (await seed(1)) as [string];
    const running = agent();
    await followedAndClosed(running, [file]);
    // In one go (synchronous calls), so the agent sees the write only once the file was renamed away.
    appendFileSync(file, 'line last of the old file\n');
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'line first of the new file\n');
    await waitFor('both lines', () => copies(collector, 'line last of the old file') >= 1 && copies(collector, 'line first of the new file') >= 1);
    await appendSentinel(collector, file, 'line sentinel');
    expect(copies(collector, 'line last of the old file')).toBe(1);
    expect(copies(collector, 'line first of the new file')).toBe(1);
    expect(collector.texts()).toHaveLength(3);
  });

  it('reads a file truncated and rewritten while closed from its start', async () => {
    const [shorter, longer] = (await seed(2)) as [string, string];
    await appendFile(shorter, 'line old a\nline old b\n');
    await appendFile(longer, 'line old c\n');
    const running = agent();
    await followedAndClosed(running, [shorter, longer]);
    await writeFile(shorter, 'line new a\n');
    await writeFile(longer, 'line new b\nline new c\nline new d\nline new e\n');
    await appendSentinel(collector, shorter, 'line sentinel a');
    await appendSentinel(collector, longer, 'line sentinel b');
    expect([...collector.texts()].sort()).toEqual(['line new a', 'line new b', 'line new c', 'line new d', 'line new e', 'line sentinel a', 'line sentinel b']);
  });

  it('keeps the offsets of closed files across a restart', async () => {
    const files = await seed(4);
    const [written, untouched] = files as [string, string];
    let running = agent();
    await followedAndClosed(running, files);
    await appendFile(written, 'line before stop\n');
    await appendSentinel(collector, written, 'line sentinel before stop');
    await waitFor('the file closed again', () => openFilesUnder(running.pid, logs) === 0, 20_000);
    await running.stop();

    await appendFile(written, 'line while down\n');
    running = agent();
    await followedAndClosed(running, files);
    await appendFile(untouched, 'line after restart\n');
    await appendSentinel(collector, written, 'line sentinel written');
    await appendSentinel(collector, untouched, 'line sentinel untouched');
    for (const line of ['line before stop', 'line while down', 'line after restart']) expect(copies(collector, line), line).toBe(1);
    expect(collector.texts()).toHaveLength(6);
  });
});
