import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { writeJournal, type JournalEntry } from '../helpers/journal-file.js';
import { Collector, join, startAgent, startHub, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { eventText } from '../../protocol/index.js';

/** 2026-01-02T03:04:05Z in µs; entry i is i ms and 7 µs later. */
const BASE_US = 1_767_323_045_000_000n;

function entry(i: number, message: string | Buffer, fields: Record<string, string | Buffer> = {}): JournalEntry {
  return {
    realtimeUs: BASE_US + BigInt(i) * 1000n + 7n,
    fields: { _HOSTNAME: 'web-1', SYSLOG_IDENTIFIER: 'nginx', _SYSTEMD_UNIT: 'nginx.service', PRIORITY: '6', _PID: '42', MESSAGE: message, ...fields },
  };
}

function time(i: number): string {
  return `${new Date(Number((BASE_US + BigInt(i) * 1000n) / 1000n)).toISOString().slice(0, 19)}.${String(i % 1000).padStart(3, '0')}007Z`;
}

function numberedEntries(from: number, count: number): JournalEntry[] {
  return Array.from({ length: count }, (_, k) => entry(from + k, `request ${String(from + k).padStart(4, '0')}`));
}

function numberedLines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, k) => `${time(from + k)} INFO nginx[42]: request ${String(from + k).padStart(4, '0')}`);
}

interface SavedJournal {
  cursor?: string;
  offset: number;
}

/** The entry's sequence number in its journal file, from a cursor (`i=` in hex). */
function seqnum(cursor: string | undefined): number | undefined {
  const match = cursor === undefined ? null : /(?:^|;)i=([0-9a-f]+)(?:;|$)/.exec(cursor);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

async function savedJournal(stateFile: string): Promise<SavedJournal | undefined> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return (JSON.parse(text) as { journals?: SavedJournal[] }).journals?.[0];
}

/** The agent following a real journal file (made with systemd-journal-remote) through journalctl. */
describe('agent --journal', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let journalFile: string;
  let stateFile: string;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-journal-'));
    hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    journalFile = join(dir, 'test.journal');
    stateFile = join(dir, 'agent-state.json');
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await cleanup();
  });

  function startAgentOn(journal: string, args: string[] = []): CliProcess {
    const process = startAgent({ hubs: [hub.wsUrl], paths: [], stateFile, name: 'web-1', fromStart: true, args: ['--journal-file', journal, ...args] });
    processes.push(process);
    return process;
  }

  function agent(args: string[] = []): CliProcess {
    return startAgentOn(journalFile, args);
  }

  async function viewer(query: string, file?: string): Promise<Collector> {
    const collector = new Collector(hub.url, { query, ...(file ? { files: [file] } : {}) }, { backlog: 10_000 });
    collectors.push(collector);
    return collector.ready();
  }

  it('delivers every entry as one line, in order, with its time, priority, identifier, pid and host', async () => {
    await writeJournal(journalFile, [
      entry(1, 'GET / 200', { PRIORITY: '3' }),
      entry(2, 'two\nlines\r\nhere\n', { PRIORITY: '4' }),
      entry(3, Buffer.from([0x62, 0x69, 0x6e, 0xff, 0xfe, 0x0a, 0x21])),
      entry(4, 'from elsewhere', { _HOSTNAME: 'db-2', SYSLOG_IDENTIFIER: 'postgres', _PID: '7' }),
      entry(5, 'no identifier', { SYSLOG_IDENTIFIER: '', PRIORITY: 'x', _PID: '' }),
      entry(6, 'last'),
    ]);
    const watcher = await viewer('.');
    agent(['--journal']);
    await waitFor('the last entry', () => watcher.texts().some((line) => line.endsWith(': last')));
    // A MESSAGE of several lines is one event: delivered with '\n' inside once the hub turns its breaks into them.
    expect(watcher.texts().map(eventText)).toEqual([
      `${time(1)} ERR nginx[42]: GET / 200`,
      `${time(2)} WARNING nginx[42]: two\nlines\nhere`,
      `${time(3)} INFO nginx[42]: bin\uFFFD\uFFFD\n!`,
      `${time(4)} INFO db-2 postgres[7]: from elsewhere`,
      `${time(5)} nginx.service: no identifier`,
      `${time(6)} INFO nginx[42]: last`,
    ]);
    expect(new Set(watcher.lines.map((line) => `${line.host} ${line.file}`))).toEqual(new Set(['web-1 journal']));
    // The hub reads each line's event time from its start.
    expect(watcher.lines.map((line) => line.eventTs)).toEqual([1, 2, 3, 4, 5, 6].map((i) => Number((BASE_US + BigInt(i) * 1000n) / 1000n)));
  });

  it('follows only the --unit entries, as the source journal:<unit>', async () => {
    await writeJournal(journalFile, [
      entry(1, 'nginx one'),
      entry(2, 'cron one', { SYSLOG_IDENTIFIER: 'CRON', _SYSTEMD_UNIT: 'cron.service' }),
      entry(3, 'nginx two'),
    ]);
    const watcher = await viewer('one|two|three');
    agent(['--unit', 'nginx.service']);
    await waitFor('the second nginx entry', () => watcher.texts().some((line) => line.endsWith('nginx two')));
    await writeJournal(journalFile, [entry(4, 'cron two', { SYSLOG_IDENTIFIER: 'CRON', _SYSTEMD_UNIT: 'cron.service' }), entry(5, 'nginx three')]);
    await waitFor('the entry appended later', () => watcher.texts().some((line) => line.endsWith('nginx three')));
    expect(watcher.texts()).toEqual([`${time(1)} INFO nginx[42]: nginx one`, `${time(3)} INFO nginx[42]: nginx two`, `${time(5)} INFO nginx[42]: nginx three`]);
    expect(new Set(watcher.lines.map((line) => line.file))).toEqual(new Set(['journal:nginx.service']));
  });

  it('reads every journal file of a directory given as --journal-file, including one added later', async () => {
    const journalDir = join(dir, 'remote');
    await mkdir(journalDir);
    await writeJournal(join(journalDir, 'first.journal'), numberedEntries(0, 3));
    const watcher = await viewer('request');
    startAgentOn(journalDir);
    await watcher.waitForCount(3);
    await writeJournal(join(journalDir, 'second.journal'), numberedEntries(3, 2));
    await waitFor('the entries of the second file', () => watcher.texts().at(-1)?.endsWith('request 0004'));
    expect(watcher.texts()).toEqual(numberedLines(0, 5));
  });

  it('checkpoints the cursor: after a kill -9 and a restart, every entry arrives exactly once', async () => {
    await writeJournal(journalFile, numberedEntries(0, 40));
    const watcher = await viewer('request');
    const first = agent();
    await watcher.waitForCount(40);
    // The hub acknowledged all 40 and the cursor of the 40th is on disk: the agent dies right after.
    await waitFor('the 40th entry\'s cursor in the state file', async () => seqnum((await savedJournal(stateFile))?.cursor) === 40);
    first.kill('SIGKILL');
    await first.exited;
    // More than journalctl's default tail of 10, written while no agent runs, and more after it is back.
    await writeJournal(journalFile, numberedEntries(40, 30));
    agent();
    await watcher.waitForCount(70);
    await writeJournal(journalFile, numberedEntries(70, 30));
    await waitFor('the last entry', () => watcher.texts().at(-1)?.endsWith('request 0099'), 30_000);
    expect(watcher.texts()).toEqual(numberedLines(0, 100));
    await waitFor('the 100th entry\'s cursor in the state file', async () => seqnum((await savedJournal(stateFile))?.cursor) === 100);
  });

  it('does not send again what the hub holds but the state file does not (the hub\'s resume point)', async () => {
    const config = join(dir, 'agent.json');
    // Checkpoints are never written in time: only the fileId, written at the first start, is on disk.
    await writeFile(config, JSON.stringify({ checkpointIntervalMs: 600_000 }));
    await writeJournal(journalFile, numberedEntries(0, 30));
    const watcher = await viewer('request');
    const first = agent(['--config', config]);
    await watcher.waitForCount(30);
    await waitFor('the fileId in the state file', async () => (await savedJournal(stateFile)) !== undefined);
    first.kill('SIGKILL');
    await first.exited;
    expect((await savedJournal(stateFile))?.cursor).toBeUndefined();
    await writeJournal(journalFile, numberedEntries(30, 10));
    agent(['--config', config]);
    await waitFor('the last entry', () => watcher.texts().at(-1)?.endsWith('request 0039'));
    expect(watcher.texts()).toEqual(numberedLines(0, 40));
  });

  it('resumes after the checkpointed cursor against a hub that holds nothing of it', async () => {
    await writeJournal(journalFile, numberedEntries(0, 20));
    const first = agent();
    await waitFor('the 20th entry\'s cursor in the state file', async () => seqnum((await savedJournal(stateFile))?.cursor) === 20);
    first.kill('SIGKILL');
    await first.exited;
    // A new hub with no resume points: only the cursor keeps the first 20 from being sent again.
    await hub.process.stop();
    hub = await startHub({ dataDir: join(dir, 'hub2') });
    processes.push(hub.process);
    await writeJournal(journalFile, numberedEntries(20, 5));
    const watcher = await viewer('request');
    agent();
    await waitFor('the last entry', () => watcher.texts().at(-1)?.endsWith('request 0024'));
    expect(watcher.texts()).toEqual(numberedLines(20, 5));
  });

  it('reports a missing journalctl clearly and keeps trying', async () => {
    const config = join(dir, 'agent.json');
    await writeFile(config, JSON.stringify({ journal: { command: join(dir, 'no-such-journalctl') } }));
    const process = agent(['--config', config]);
    const record = await process.waitForLog('the missing journalctl', (r) => typeof r.msg === 'string' && r.msg.startsWith('journalctl not found'));
    expect(record.level).toBe(50);
    await waitFor('a second attempt', () => process.logs().filter((r) => r.msg === record.msg).length >= 2);
    expect(process.running).toBe(true);
  });
});
