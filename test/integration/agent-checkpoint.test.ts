import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import type { Checkpoint } from '../../agent/state/checkpoint-store.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { startAgent, waitForFollowing } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

async function savedOffset(stateFile: string, path: string): Promise<number | undefined> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as { files: Checkpoint[] };
  return state.files.find((entry) => entry.path === path)?.offset;
}

describe('agent checkpoints', () => {
  const agents = new Set<Agent>();
  const hubs: FakeHub[] = [];
  const processes: CliProcess[] = [];
  let dir: string;
  let file: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  async function startHub(options: Parameters<typeof FakeHub.start>[0] = {}): Promise<FakeHub> {
    const hub = await FakeHub.start(options);
    hubs.push(hub);
    return hub;
  }

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-checkpoint-'));
    file = join(dir, 'app.log');
    stateFile = join(dir, 'state', 'agent-state.json');
  });

  afterEach(async () => {
    await stopAll(agents);
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await Promise.all(hubs.splice(0).map((hub) => hub.close()));
    await cleanup();
  });

  it('sends a line left half-written at stop once, whole, after a restart', async () => {
    const hub = await startHub();
    await writeFile(file, '');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await appendFile(file, 'done\nhalf wr');
    await waitFor('the complete line', () => hub.linesOf(file).length >= 1);
    await stopAll(agents);
    expect(await savedOffset(stateFile, file)).toBe('done\n'.length);
    await appendFile(file, 'itten\nafter restart\n');
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile }, agents);
    await waitFor('the finished line', () => hub.linesOf(file).length >= 3);
    expect(hub.linesOf(file)).toEqual(['done', 'half written', 'after restart']);
    expect(hub.problems).toEqual([]);
  });

  it('advances checkpoints only on acknowledgement: unacknowledged lines are sent again after a restart', async () => {
    const hub = await startHub({ autoAck: false, resume: 'none' });
    const lines = numberedLines('unacked', 0, 100);
    await appendLines(file, lines);
    const { agent } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, fromStart: true }, agents);
    await waitFor('the lines to reach the hub', () => hub.linesOf(file).length >= lines.length);
    expect(agent.stats().batchesAcked).toBe(0);
    await stopAll(agents);
    expect(await savedOffset(stateFile, file)).toBe(0);

    hub.setAutoAck(true);
    const { agent: second } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile, fromStart: true }, agents);
    await waitFor('the lines again', () => hub.linesOf(file).length >= 2 * lines.length);
    expect(hub.linesOf(file)).toEqual([...lines, ...lines]);
    await waitFor('the acknowledgements', () => second.stats().batchesAcked === second.stats().batchesSent);
    await stopAll(agents);
    expect(await savedOffset(stateFile, file)).toBe((await stat(file)).size);
  });

  it('checkpoints the acknowledged offset, not the sent one: a batch in flight at a kill -9 is sent again', async () => {
    // This hub forgets whatever it did not acknowledge (no resume points), so after the restart only
    // the agent's checkpoint decides where it reads from.
    const hub = await startHub({ autoAck: false, resume: 'none' });
    await writeFile(file, '');
    const config = await writeJson(join(dir, 'agent-config.json'), FAST_AGENT);
    const options = { hubs: [hub.url], paths: [file], stateFile, args: ['--config', config] };
    const crashing = startAgent(options);
    processes.push(crashing);
    await waitForFollowing(crashing, file);

    const acked = numberedLines('acked', 0, 20);
    await appendLines(file, acked);
    await waitFor('the first batch', () => hub.linesOf(file).length >= acked.length);
    const lastAckedBatch = hub.batches.at(-1)!.batch;
    const inFlight = numberedLines('in-flight', 0, 20);
    await appendLines(file, inFlight);
    await waitFor('the second batch', () => hub.linesOf(file).length >= acked.length + inFlight.length);
    expect(hub.batches.at(-1)!.batch).toBeGreaterThan(lastAckedBatch);

    hub.ackUpTo(lastAckedBatch);
    await waitFor('the checkpoint after the first acknowledgement', async () => ((await savedOffset(stateFile, file)) ?? 0) > 0);
    crashing.kill('SIGKILL');
    await crashing.exited;
    const ackedBytes = Buffer.byteLength(acked.map((line) => `${line}\n`).join(''));
    expect(await savedOffset(stateFile, file)).toBe(ackedBytes);

    const restarted = startAgent(options);
    processes.push(restarted);
    await waitForFollowing(restarted, file);
    // Lines of one file arrive in order: once this one is in, anything sent again is in too.
    await appendLines(file, ['sentinel after restart']);
    await waitFor('the sentinel', () => hub.linesOf(file).includes('sentinel after restart'));
    expect(hub.linesOf(file)).toEqual([...acked, ...inFlight, ...inFlight, 'sentinel after restart']);
    expect(hub.problems).toEqual([]);
  });

  it('sends every line exactly once across a crash, by resuming where the hub holds the file', async () => {
    const hub = await startHub();
    await writeFile(file, '');
    const first = numberedLines('first', 0, 50);
    const second = numberedLines('second', 0, 50);
    // No periodic checkpoint during the test: only the one written when the file is first followed.
    const options = { hubs: [hub.url], paths: [file], stateFile, checkpointIntervalMs: 600_000 };
    const { agent } = await startTestAgent(options, agents);
    // The state as a kill -9 right now would leave it. It must already know the file (and its gen).
    const crashState = await readFile(stateFile);
    expect(await savedOffset(stateFile, file)).toBe(0);
    await appendLines(file, first);
    await waitFor('the first lines acknowledged', () => hub.linesOf(file).length >= 50 && agent.stats().batchesAcked === agent.stats().batchesSent);
    await stopAll(agents);
    await writeFile(stateFile, crashState);

    await appendLines(file, second);
    await startTestAgent(options, agents);
    await waitFor('the second lines', () => hub.linesOf(file).length >= 100);
    expect(hub.linesOf(file)).toEqual([...first, ...second]);
    expect(hub.fileIdsOf(file)).toHaveLength(1);
    expect(hub.problems).toEqual([]);
  });

  it('sets a corrupted state file aside, warns and starts fresh', async () => {
    const hub = await startHub();
    await writeFile(join(dir, 'state.json'), '{"version":1,"files":[{"path":');
    await writeFile(file, '');
    const { records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile: join(dir, 'state.json') }, agents);
    await appendLines(file, ['still works']);
    await waitFor('the line', () => hub.linesOf(file).length >= 1);
    expect(records.find((record) => record.msg?.includes('corrupted'))).toMatchObject({ level: 40, reason: expect.stringContaining('JSON') });
    expect((await readdir(dir)).some((name) => name.startsWith('state.json.corrupt-'))).toBe(true);
  });

  it('keeps running and counts errors when the state directory cannot be written', async () => {
    const hub = await startHub();
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file, not a directory');
    await writeFile(file, '');
    const { agent, records } = await startTestAgent({ hubs: [hub.url], paths: [file], stateFile: join(blocker, 'state.json') }, agents);
    await appendLines(file, ['line while the state cannot be saved']);
    await waitFor('the line', () => hub.linesOf(file).length >= 1);
    await waitFor('a checkpoint error', () => agent.stats().checkpointErrors > 0);
    expect(records.some((record) => record.level === 50 && record.msg?.includes('state file'))).toBe(true);
    await appendLines(file, ['and still later']);
    await waitFor('a later line', () => hub.linesOf(file).length >= 2);
  });
});
