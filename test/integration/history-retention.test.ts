import { randomBytes } from 'node:crypto';
import { open, readdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchRecordSchema, type SearchDoneRecord } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { metricValue } from '../helpers/http-api.js';
import { waitForCheckpointAtEnd } from '../helpers/reliability.js';
import { appendLines, appendSentinel, Collector, join, numbered, searchCli, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** `count` random letters from a to p. */
function randomLetters(count: number): string {
  return [...randomBytes(count)].map((byte) => String.fromCharCode(97 + (byte & 15))).join('');
}

/** What history keeps: retention by bytes and by age, and a damaged block, through the real CLI. */
describe('history retention and damage', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: string;
  let stateFile: string;
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    log = join(dir, 'app.log');
    stateFile = join(dir, 'agent.json');
    await writeFile(log, '');
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  async function hub(args: string[] = [], port?: number): Promise<TestHub> {
    const started = await startHub({ dataDir: join(dir, 'hub'), args, ...(port === undefined ? {} : { port }) });
    processes.push(started.process);
    return started;
  }

  async function agent(at: TestHub): Promise<void> {
    const started = startAgent({ hubs: [at.wsUrl], paths: [log], stateFile });
    processes.push(started);
    await waitForFollowing(started, log);
  }

  async function viewer(at: TestHub): Promise<Collector> {
    const collector = new Collector(at.url, { query: 'sentinel' });
    collectors.push(collector);
    return collector.ready();
  }

  /** Stops the hub cleanly (which seals its open blocks) once the agent has its lines acknowledged, and starts another on the same data directory and port. */
  async function restart(running: TestHub, args: string[] = []): Promise<TestHub> {
    await waitForCheckpointAtEnd(stateFile, log);
    await running.process.stop();
    return hub(args, running.port);
  }

  async function metrics(at: TestHub): Promise<string> {
    return (await fetch(`${at.url}/metrics`)).text();
  }

  async function searchDone(at: TestHub, query: string): Promise<{ count: number; done: SearchDoneRecord }> {
    const text = await (await fetch(`${at.url}/api/search?${new URLSearchParams({ q: query, limit: '10000' }).toString()}`)).text();
    const records = text.split('\n').filter((line) => line !== '').map((line) => searchRecordSchema.parse(JSON.parse(line)));
    const done = records.find((record) => record.type === 'done');
    expect(done, text.slice(-500)).toBeDefined();
    return { count: records.filter((record) => record.type === 'match').length, done: done as SearchDoneRecord };
  }

  it('by bytes: drops the oldest segments past --history-max-bytes, keeps a contiguous newest part, and says so in /metrics', async () => {
    const maxBytes = 300_000;
    const running = await hub(['--history-max-bytes', String(maxBytes)]);
    await agent(running);
    const watcher = await viewer(running);
    // Random letters a-p (4 bits each) compress about 2:1, so 1.4 MB of lines seal into blocks
    // (256 KiB of lines each) well past the limit. No digits: a run of them can pass for a card
    // number, which the hub redacts.
    const written: string[] = [];
    for (let round = 0; round < 14; round += 1) {
      const lines = Array.from({ length: 500 }, (_, i) => `r ${String(round * 500 + i).padStart(6, '0')} ${randomLetters(192)}`);
      await appendLines(log, lines);
      written.push(...lines);
    }
    await appendSentinel(watcher, log, 'sentinel');

    const dropped = await waitFor('retention to drop blocks', async () => (metricValue(await metrics(running), 'supergrep_history_dropped_blocks_total') ?? 0) > 0 ? true : undefined);
    expect(dropped).toBe(true);
    const exposition = await metrics(running);
    expect(metricValue(exposition, 'supergrep_history_dropped_bytes_total')).toBeGreaterThan(0);
    expect(metricValue(exposition, 'supergrep_history_bytes')).toBeLessThanOrEqual(maxBytes);

    const search = await searchCli(running.url, '^r ', ['--order', 'asc', '--limit', '100000']);
    expect(search.code, search.stderr.join('\n')).toBe(0);
    const kept = search.lines.map((line) => line.line);
    // What is left is the newest lines, with no gap: whole segments go, oldest first.
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(written.length);
    expect(kept).toEqual(written.slice(written.length - kept.length));
  });

  it('by age: drops blocks sealed longer ago than --history-max-age, keeps newer lines, and says so in /metrics', async () => {
    const args = ['--history-max-age', '2s'];
    let running = await hub(args);
    await agent(running);
    let watcher = await viewer(running);
    const old = numbered('old line', 50);
    await appendLines(log, old);
    await appendSentinel(watcher, log, 'sentinel 1');
    // In history (an open block, which retention leaves alone).
    expect((await searchCli(running.url, 'line', ['--order', 'asc'])).lines.map((line) => line.line)).toEqual(old);
    // A clean stop seals the open block: its age counts from then.
    running = await restart(running, args);
    watcher = await viewer(running);
    const fresh = numbered('new line', 50);
    await appendLines(log, fresh);
    await appendSentinel(watcher, log, 'sentinel 2');

    await waitFor('retention to drop the sealed block', async () => (metricValue(await metrics(running), 'supergrep_history_dropped_blocks_total') ?? 0) > 0 ? true : undefined);
    expect(metricValue(await metrics(running), 'supergrep_history_dropped_bytes_total')).toBeGreaterThan(0);
    const search = await searchCli(running.url, 'line', ['--order', 'asc']);
    expect(search.code, search.stderr.join('\n')).toBe(0);
    // The new lines are in a block not sealed yet: not aged out.
    expect(search.lines.map((line) => line.line)).toEqual(fresh);
  });

  it('skips a corrupted block: the other blocks are found, the answer says partial, /metrics counts it, the hub goes on', async () => {
    let running = await hub();
    await agent(running);
    let watcher = await viewer(running);
    const first = numbered('a line', 200);
    await appendLines(log, first);
    await appendSentinel(watcher, log, 'sentinel 1');
    // Each clean stop seals the open block; each hub writes a segment file of its own.
    running = await restart(running);
    watcher = await viewer(running);
    const second = numbered('b line', 200);
    await appendLines(log, second);
    await appendSentinel(watcher, log, 'sentinel 2');
    await waitForCheckpointAtEnd(stateFile, log);
    await running.process.stop();

    const historyDir = join(dir, 'hub', 'history');
    const segments = (await readdir(historyDir)).filter((name) => name.startsWith('seg-')).sort();
    expect(segments).toHaveLength(2);
    // Flip bytes in the middle of the first block's compressed data (past its header).
    const file = await open(join(historyDir, segments[0]!), 'r+');
    try {
      const { size } = await file.stat();
      const at = Math.floor(size / 2);
      const bytes = Buffer.alloc(8);
      await file.read(bytes, 0, 8, at);
      await file.write(bytes.map((byte) => byte ^ 0xff), 0, 8, at);
    } finally {
      await file.close();
    }

    running = await hub([], running.port);
    const cli = await searchCli(running.url, '^[ab] line', ['--order', 'asc', '--limit', '100000']);
    expect(cli.code, cli.stderr.join('\n')).toBe(0);
    expect(cli.lines.map((line) => line.line)).toEqual(second);
    expect(cli.stderr.join('\n')).toMatch(/results are partial: 1 damaged blocks/);

    const before = metricValue(await metrics(running), 'supergrep_history_corrupt_blocks_total') ?? 0;
    const { count, done } = await searchDone(running, '^[ab] line');
    expect(count).toBe(second.length);
    expect(done.partial).toBe(true);
    expect(done.corruptBlocks).toBe(1);
    expect(metricValue(await metrics(running), 'supergrep_history_corrupt_blocks_total')).toBe(before + 1);

    // Still up and taking lines.
    expect(running.process.running).toBe(true);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    watcher = await viewer(running);
    await appendSentinel(watcher, log, 'sentinel 3');
  });
});
