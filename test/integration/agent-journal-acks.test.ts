import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import type { JournalCheckpoint } from '../../agent/state/checkpoint-store.js';
import { startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { writeJournal, type JournalEntry } from '../helpers/journal-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

function entries(from: number, count: number, message = (i: number) => `entry ${i}`): JournalEntry[] {
  return Array.from({ length: count }, (_, k) => ({
    realtimeUs: 1_767_323_045_000_000n + BigInt(from + k) * 1000n,
    fields: { _HOSTNAME: 'test-host', SYSLOG_IDENTIFIER: 'app', PRIORITY: '6', MESSAGE: message(from + k) },
  }));
}

/** The text after `app: ` of each line the hub received from the journal. */
function messages(hub: FakeHub): string[] {
  return hub.linesOf('journal').map((line) => line.slice(line.indexOf('app: ') + 5));
}

/** The journal source's acknowledgements, checkpoints and cut lines, against a scripted hub. */
describe('agent --journal against a scripted hub', () => {
  const agents = new Set<Agent>();
  const hubs: FakeHub[] = [];
  let dir: string;
  let journalFile: string;
  let stateFile: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-journal-acks-'));
    journalFile = join(dir, 'test.journal');
    stateFile = join(dir, 'state.json');
  });

  afterEach(async () => {
    await stopAll(agents);
    await Promise.all(hubs.splice(0).map((hub) => hub.close()));
    await cleanup();
  });

  async function hubWith(options: Parameters<typeof FakeHub.start>[0]): Promise<FakeHub> {
    const hub = await FakeHub.start(options);
    hubs.push(hub);
    return hub;
  }

  function start(hub: FakeHub): ReturnType<typeof startTestAgent> {
    return startTestAgent({ hubs: [hub.url], stateFile, fromStart: true, journal: { file: journalFile } }, agents);
  }

  async function saved(): Promise<JournalCheckpoint | undefined> {
    const text = await readFile(stateFile, 'utf8');
    return (JSON.parse(text) as { journals: JournalCheckpoint[] }).journals[0];
  }

  it('sends again after a restart what the hub did not acknowledge, and never what it did', async () => {
    const hub = await hubWith({ autoAck: false, resume: 'none' });
    await writeJournal(journalFile, entries(0, 10));
    await start(hub);
    await waitFor('the 10 entries at the hub', () => hub.linesOf('journal').length >= 10);
    await stopAll(agents);
    expect((await saved())?.cursor).toBeUndefined();

    hub.setAutoAck(true);
    const { agent } = await start(hub);
    await waitFor('the 10 entries again', () => hub.linesOf('journal').length >= 20);
    await waitFor('the acknowledgements', () => agent.stats().batchesAcked === agent.stats().batchesSent);
    await stopAll(agents);
    expect((await saved())?.cursor).toMatch(/;i=a;/);

    await writeJournal(journalFile, entries(10, 5));
    await start(hub);
    await waitFor('the 5 new entries', () => hub.linesOf('journal').length >= 25);
    const first = entries(0, 10).map((_, i) => `entry ${i}`);
    expect(messages(hub)).toEqual([...first, ...first, 'entry 10', 'entry 11', 'entry 12', 'entry 13', 'entry 14']);
    expect(hub.problems).toEqual([]);
  });

  it('sends the unacknowledged entries again after a reconnect, from memory', async () => {
    const hub = await hubWith({ autoAck: false, resume: 'none' });
    await writeJournal(journalFile, entries(0, 3));
    const { agent } = await start(hub);
    await waitFor('the first 3 entries at the hub', () => hub.linesOf('journal').length >= 3);
    await writeJournal(journalFile, entries(3, 3));
    await waitFor('the next 3 entries at the hub', () => hub.linesOf('journal').length >= 6);
    // Only the first batch is acknowledged before the connection drops.
    const firstBatch = hub.batches[0]!;
    hub.ackUpTo(firstBatch.batch);
    await waitFor('the first batch acknowledged', () => agent.stats().batchesAcked === 1);
    hub.dropConnections();
    hub.setAutoAck(true);
    const all = entries(0, 6).map((_, i) => `entry ${i}`);
    await waitFor('the unacknowledged entries again', () => hub.linesOf('journal').length >= 12 - firstBatch.lineCount);
    await writeJournal(journalFile, entries(6, 1));
    await waitFor('the entry written after', () => messages(hub).at(-1) === 'entry 6');
    expect(messages(hub)).toEqual([...all, ...all.slice(firstBatch.lineCount), 'entry 6']);
    expect(hub.problems).toEqual([]);
  });

  it('leaves journalctl\'s output unread while the hub lags, and stops cleanly meanwhile', async () => {
    const hub = await hubWith({ autoAck: false, resume: 'none' });
    await writeJournal(journalFile, entries(0, 300, (i) => `entry ${i} ${'x'.repeat(100)}`));
    const options = { hubs: [hub.url], stateFile, fromStart: true, journal: { file: journalFile }, maxInflightBytes: 4096, batchMaxBytes: 1024 };
    const { agent } = await startTestAgent(options, agents);
    await waitFor('the window to fill', () => agent.stats().inflightBytes > 3000);
    expect(hub.linesOf('journal').length).toBeLessThan(300);
    await stopAll(agents);
    const before = hub.linesOf('journal').length;
    hub.setAutoAck(true);
    await startTestAgent(options, agents);
    await waitFor('all 300 entries', () => hub.linesOf('journal').length >= before + 300);
    expect(messages(hub).slice(before).map((message) => message.split(' ')[1])).toEqual(entries(0, 300).map((_, i) => String(i)));
    expect(hub.problems).toEqual([]);
  });

  it('cuts an entry longer than the hub\'s line limit, with offsets the hub accepts', async () => {
    const hub = await hubWith({ limits: { maxFrameBytes: 1024 * 1024, maxLineBytes: 1024 } });
    await writeJournal(journalFile, entries(0, 3, (i) => (i === 1 ? `long ${'é'.repeat(2000)}` : `entry ${i}`)));
    const { agent } = await start(hub);
    await waitFor('the 3 entries', () => hub.linesOf('journal').length >= 3);
    const [, long] = hub.linesOf('journal');
    expect(Buffer.byteLength(long!)).toBeLessThanOrEqual(1024);
    expect(long).toMatch(/app: long (é)+$/);
    expect(messages(hub)).toEqual(['entry 0', expect.stringMatching(/^long /) as string, 'entry 2']);
    expect(agent.stats().truncatedLines).toBe(1);
    expect(hub.problems).toEqual([]);
  });
});
