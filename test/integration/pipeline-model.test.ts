import { appendFile, copyFile, mkdir, readdir, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../lib/hub-client.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { checkDeliveries, checkpointLag, DeliveryModel, type Delivery, type StateEntry } from '../helpers/delivery-model.js';
import { FAST_AGENT, readAgentState, writeJson } from '../helpers/reliability.js';
import { join, searchCli, startAgent, startHub, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Model-based test of the whole pipeline through the real CLI: fast-check draws sequences of
 * appends, partial appends, rename+create rotations, copytruncates, deletions and kill -9 and
 * restarts of the agent and the hub; after each sequence a viewer must have received every line
 * written, each file generation in order, and duplicates only as docs/protocol.md ("Delivery
 * guarantees") allows: after a kill, for lines not yet acknowledged at that kill. The hub keeps
 * history: a kill -9 of the hub while the writer appends is followed by a restart on the same data
 * directory and port, after which a new viewer's backlog holds every line acknowledged at the kill;
 * and after each sequence `supergrep search` finds every line in history, each file in order, and
 * more than once only as an agent kill allows (checkHistory).
 *
 * The model (test/helpers/delivery-model.ts) is explicit about what must arrive. Where the data is
 * gone through no fault of the agent the commands are sequenced so that it cannot happen, as an
 * operator would: a copytruncate or a deletion happens with the pipeline up and waits for delivery
 * (copytruncate's own race between copy and truncate loses what the writer adds in between), and a
 * file created while the agent is down is not rotated away before the agent has seen it (a restarted
 * agent cannot know a file it never saw; see docs/operations.md on rotation).
 *
 * 20 sequences of up to 16 commands take about 70 to 100 s on 2 cores; all of them must complete, each
 * kind of command must have run, and a run that cannot finish them within its time limit fails.
 * The sequences come from a fixed seed, so the suite runs the same commands every time (timings
 * still differ); SUPERGREP_MODEL_SEED=random draws new ones, SUPERGREP_MODEL_SEED=<n> another set.
 * SUPERGREP_MODEL_RUNS=N runs more (or fewer); SUPERGREP_MODEL_VERBOSE=1 prints each sequence with
 * its counts. A failure prints the
 * sequence, the seed and the path, to replay with fc.assert's `seed` and `path`, and the logs of every
 * hub and agent the sequence started.
 */

interface Real {
  dir: string;
  log: string;
  stateFile: string;
  agentConfig: string;
  port: number;
  hub: TestHub | undefined;
  agent: CliProcess | undefined;
  rotations: number;
  deliveries: Delivery[];
  client: HubClient;
}

type Cmd = fc.AsyncCommand<DeliveryModel, Real>;

const running = new Set<CliProcess>();
/** Every process of the current sequence, killed ones included, for the logs printed on a failure. */
const started: Array<{ kind: string; process: CliProcess }> = [];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inoHex(ino: string): string {
  return BigInt(ino).toString(16);
}

async function startRealAgent(m: DeliveryModel, r: Real): Promise<void> {
  const agent = startAgent({ hubs: [`ws://127.0.0.1:${r.port}`], paths: [r.log, `${r.log}.*`], stateFile: r.stateFile, name: 'model-host', args: ['--config', r.agentConfig] });
  running.add(agent);
  started.push({ kind: 'agent', process: agent });
  r.agent = agent;
  await agent.waitForLog('the agent to start', (record) => record.msg === 'agent started');
  // It has opened (and checkpointed) every file there is before it says so.
  m.agentUp = true;
  if (m.current?.ino !== undefined) m.current.known = true;
}

async function startRealHub(m: DeliveryModel, r: Real): Promise<void> {
  // The viewer (once there is one) reconnects by itself; the run goes on once it is subscribed again.
  // A hub's backlog is in memory only (docs/protocol.md, "No loss", 5): lines it took in while no
  // viewer was connected and then lost in a crash were never promised to anyone, so the model waits
  // for the viewer to be there, as the promise "every viewer connected at the time" reads. The hub
  // writes `subscribed` and the backlog behind it in one write (ViewerOutbox.flush), so a hub killed
  // once the viewer has read `subscribed` has handed the backlog to the kernel too.
  const resubscribed = r.client ? new Promise((resolve) => r.client.once('subscribed', resolve)) : undefined;
  r.hub = await startHub({ dataDir: join(r.dir, 'hub'), port: r.port });
  running.add(r.hub.process);
  started.push({ kind: 'hub', process: r.hub.process });
  r.port = r.hub.port;
  m.hubUp = true;
  if (resubscribed) await withTimeout(resubscribed, 20_000, 'the viewer to subscribe again');
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Appends `text`; a write that created the file records its inode and, with the agent up, waits until the agent follows it. */
async function write(m: DeliveryModel, r: Real, text: string, creating: boolean): Promise<void> {
  const logsBefore = r.agent?.logs().length ?? 0;
  await appendFile(r.log, text);
  if (!creating) return;
  const segment = m.current!;
  segment.ino = String((await stat(r.log, { bigint: true })).ino);
  if (!m.agentUp) return;
  const prefix = `${inoHex(segment.ino)}.`;
  const agent = r.agent!;
  await waitFor('the agent to follow the new file', () =>
    agent.logs().slice(logsBefore).some((record) => record.msg === 'following file' && String(record.fileId).startsWith(prefix)),
  );
  segment.known = true;
}

async function waitDelivered(r: Real, lines: readonly string[]): Promise<void> {
  await waitFor(`${lines.length} lines to be delivered`, () => {
    const seen = new Set(r.deliveries.map((delivery) => delivery.line));
    return lines.every((line) => seen.has(line));
  }, 20_000);
}

/**
 * Waits until nothing more can arrive, instead of a quiet period: every file there is stands
 * acknowledged in the agent's state file where it ends up (checkpointLag: its last complete line, or
 * its end once a rotated file's unfinished line went out), so nothing is in flight and, with no kill
 * to come, nothing is to be sent again; and then the hub answers a context request, which it queues
 * to the viewer behind every line it queued before. A file that never gets there fails the sequence,
 * naming the file and its state entry.
 */
async function quiesce(m: DeliveryModel, r: Real): Promise<void> {
  let lagging: string | undefined;
  await waitFor('every file acknowledged where it ends', async () => {
    const entries = await readAgentState(r.stateFile);
    lagging = 'no readable state file';
    if (!entries) return false;
    const names = (await readdir(r.dir)).filter((name) => name === 'app.log' || name.startsWith('app.log.'));
    const files = await Promise.all(
      names.map(async (name) => {
        const path = join(r.dir, name);
        const [{ ino }, content] = await Promise.all([stat(path, { bigint: true }), readFile(path)]);
        return { name, ino: String(ino), content };
      }),
    );
    lagging = checkpointLag(m, files, entries, new Set(r.deliveries.map((delivery) => delivery.line)));
    return lagging === undefined;
  }, 20_000).catch((error: unknown) => {
    throw new Error(`the agent's checkpoint never caught up with the files: ${lagging}`, { cause: error });
  });
  await withTimeout(r.client.context('model-barrier-1-0', 0, 0), 20_000, 'the answer to a context request');
}

async function kill(m: DeliveryModel, r: Real, kind: 'agent' | 'hub'): Promise<void> {
  const process = kind === 'agent' ? r.agent! : r.hub!.process;
  const position = r.deliveries.length;
  process.kill('SIGKILL');
  await process.exited;
  running.delete(process);
  // A killed agent's state file is final; with the hub killed, the agent's acknowledged offsets
  // cannot move until a hub is back, so what the file says now is acknowledged at the kill.
  const entries = ((await readAgentState(r.stateFile)) ?? []) as unknown as StateEntry[];
  m.kills.push({ kind, position, acked: m.ackedBy(entries) });
  if (kind === 'agent') {
    m.agentUp = false;
    r.agent = undefined;
  } else {
    m.hubUp = false;
    r.hub = undefined;
  }
}

class Append implements Cmd {
  constructor(readonly count: number, readonly pad: number) {}
  check = () => true;
  async run(m: DeliveryModel, r: Real): Promise<void> {
    const creating = !m.current;
    await write(m, r, m.append(this.count, this.pad), creating);
  }
  toString = () => `append(${this.count}, pad ${this.pad})`;
}

class AppendPartial implements Cmd {
  constructor(readonly pad: number, readonly cut: number) {}
  check = (m: Readonly<DeliveryModel>) => !m.current?.partialFull;
  async run(m: DeliveryModel, r: Real): Promise<void> {
    const creating = !m.current;
    await write(m, r, m.appendPartial(this.pad, this.cut), creating);
  }
  toString = () => `appendPartial(pad ${this.pad}, cut ${this.cut})`;
}

class RotateRename implements Cmd {
  check = (m: Readonly<DeliveryModel>) => m.current?.ino !== undefined && (m.agentUp || m.current.known);
  async run(m: DeliveryModel, r: Real): Promise<void> {
    r.rotations += 1;
    await rename(r.log, `${r.log}.${r.rotations}`);
    m.rotate();
  }
  toString = () => 'rotateRename';
}

class CopyTruncate implements Cmd {
  check = (m: Readonly<DeliveryModel>) => m.current?.ino !== undefined && m.agentUp && m.hubUp;
  async run(m: DeliveryModel, r: Real): Promise<void> {
    // The writer finishes its line and pauses; everything is delivered before the copy and truncate.
    await appendFile(r.log, m.finishPartial());
    await waitDelivered(r, m.current!.lines);
    r.rotations += 1;
    await copyFile(r.log, join(r.dir, 'copies', `app.log.${r.rotations}`));
    await truncate(r.log, 0);
    m.truncate();
  }
  toString = () => 'copyTruncate';
}

class Delete implements Cmd {
  check = (m: Readonly<DeliveryModel>) => m.current?.ino !== undefined && m.agentUp && m.hubUp;
  async run(m: DeliveryModel, r: Real): Promise<void> {
    await unlink(r.log);
    // Read to its end through the agent's open handle: every line, the unfinished last one included.
    await waitDelivered(r, m.delete().lines);
  }
  toString = () => 'delete';
}

class KillAgent implements Cmd {
  check = (m: Readonly<DeliveryModel>) => m.agentUp;
  run = (m: DeliveryModel, r: Real) => kill(m, r, 'agent');
  toString = () => 'kill -9 agent';
}

class StartAgent implements Cmd {
  check = (m: Readonly<DeliveryModel>) => !m.agentUp;
  run = (m: DeliveryModel, r: Real) => startRealAgent(m, r);
  toString = () => 'start agent';
}

class KillHub implements Cmd {
  check = (m: Readonly<DeliveryModel>) => m.hubUp;
  run = (m: DeliveryModel, r: Real) => kill(m, r, 'hub');
  toString = () => 'kill -9 hub';
}

/**
 * kill -9 of the hub while the writer is appending: the kill comes once the viewer has seen
 * `killAfter` of the new lines (0: right away), the writer goes on, and a hub is started on the same
 * data directory and port. A viewer that connects then gets every line acknowledged at the kill in
 * its backlog (refilled from history; the agent never sends those again), each file in order.
 */
class KillHubWhileWriting implements Cmd {
  constructor(readonly count: number, readonly pad: number, readonly killAfter: number) {}
  check = (m: Readonly<DeliveryModel>) => m.hubUp && m.agentUp;
  async run(m: DeliveryModel, r: Real): Promise<void> {
    const creating = !m.current;
    const text = m.append(this.count, this.pad);
    const segment = m.current!;
    const fresh = new Set(segment.lines.slice(-this.count));
    const chunks = text.match(/(?:[^\n]*\n){1,4}/g) ?? [];
    await write(m, r, chunks[0]!, creating);
    const writing = (async () => {
      for (const chunk of chunks.slice(1)) {
        await appendFile(r.log, chunk);
        await new Promise(setImmediate);
      }
    })();
    const seenFresh = () => r.deliveries.filter((delivery) => fresh.has(delivery.line)).length;
    await waitFor(`${this.killAfter} of the new lines to be delivered`, () => seenFresh() >= Math.min(this.killAfter, this.count), 20_000);
    await kill(m, r, 'hub');
    await writing;
    await startRealHub(m, r);
    await checkBacklog(m, r, m.kills.at(-1)!.acked);
  }
  toString = () => `killHubWhileWriting(${this.count}, pad ${this.pad}, after ${this.killAfter})`;
}

/** A viewer connecting now receives every line of `acked` (in its backlog: the agent never sends them again), each file's lines in order. */
async function checkBacklog(m: DeliveryModel, r: Real, acked: ReadonlySet<string>): Promise<void> {
  const received: string[] = [];
  const late = new HubClient({ hub: `http://127.0.0.1:${r.port}`, clientName: 'model-late-viewer', reconnectBaseMs: 50, reconnectCapMs: 300 });
  late.on('matches', (_sub, lines) => received.push(...lines.map((line) => line.line)));
  try {
    late.subscribe({ sub: 'late', filter: { query: '^L' }, backlog: 10_000 });
    late.connect();
    await waitFor(`the ${acked.size} lines acknowledged at the kill in a new viewer's backlog`, () => {
      const have = new Set(received);
      return [...acked].every((line) => have.has(line));
    }, 20_000).catch((error: unknown) => {
      const have = new Set(received);
      throw new Error(`missing from the backlog after a restart: ${[...acked].filter((line) => !have.has(line)).slice(0, 10).join(', ')}`, { cause: error });
    });
  } finally {
    late.close();
  }
  for (const segment of m.segments) {
    const expected = segment.lines.filter((line) => acked.has(line));
    const got = received.filter((line) => acked.has(line) && segment.lines.includes(line));
    expect(dedupe(got), `segment ${segment.id} in a new viewer's backlog`).toEqual(expected);
  }
}

/** `lines` without repeats, each where it first appears. */
function dedupe(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

/**
 * History after the sequence, through `supergrep search` over all of it, oldest first: every line
 * written is there (an unfinished line of a renamed file may be), under the file's path, each file's
 * lines in file order, and exactly once, unless it was unacknowledged in the agent's state file at
 * a kill of the agent (then once more per such kill, as live delivery allows). Returns the problems found.
 */
async function checkHistory(m: DeliveryModel, r: Real): Promise<string[]> {
  const search = await searchCli(r.hub!.url, '^L', ['--order', 'asc', '--limit', '1000000']);
  if (search.code !== 0) return [`supergrep search exited with ${search.code}: ${search.stderr.join('\n')}`];
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const found of search.lines) {
    counts.set(found.line, (counts.get(found.line) ?? 0) + 1);
    if (found.file !== r.log) problems.push(`history has ${found.line} under ${found.file}`);
  }
  const required = m.required();
  const optional = new Set(m.segments.flatMap((segment) => segment.optional));
  const missing = required.filter((line) => !counts.has(line));
  if (missing.length > 0) problems.push(`${missing.length} lines not in history: ${missing.slice(0, 10).join(', ')}`);
  const known = new Set(required);
  for (const [line, count] of counts) {
    if (!known.has(line) && !optional.has(line)) {
      problems.push(`history has a line never written as one: ${JSON.stringify(line)}`);
      continue;
    }
    // The hub knows what it holds (its resume points outlive a kill -9), so only an agent that lost
    // its acknowledgement may send a line again, with a new generation the hub cannot tell apart.
    const allowing = m.kills.filter((kill) => kill.kind === 'agent' && !kill.acked.has(line)).length;
    if (count > 1 + allowing) problems.push(`history has ${line} ${count} times, after ${allowing} agent kill(s) at which it was unacknowledged`);
  }
  const order = search.lines.map((found) => found.line);
  for (const segment of m.segments) {
    const lines = new Set([...segment.lines, ...segment.optional]);
    const got = dedupe(order.filter((line) => lines.has(line)));
    const expected = [...segment.lines, ...segment.optional].filter((line) => counts.has(line));
    if (got.join('\n') !== expected.join('\n')) problems.push(`segment ${segment.id} out of order in history: ${got.slice(0, 20).join(', ')}`);
  }
  return problems;
}

class StartHub implements Cmd {
  check = (m: Readonly<DeliveryModel>) => !m.hubUp;
  run = (m: DeliveryModel, r: Real) => startRealHub(m, r);
  toString = () => 'start hub';
}

class Settle implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(): Promise<void> {
    await pause(this.ms);
  }
  toString = () => `settle(${this.ms} ms)`;
}

const appendArb = fc.record({ count: fc.integer({ min: 1, max: 40 }), pad: fc.integer({ min: 0, max: 80 }) }).map(({ count, pad }) => new Append(count, pad));
/** How many times each kind of command ran (`Append`, `KillHub`...), and how many sequences completed. */
const executed = new Map<string, number>();
let completedSequences = 0;
/** Lines the completed sequences required and checked. */
let linesChecked = 0;
const counting = new WeakSet<Cmd>();

/** Counts each run of `command` under its class name (constant commands are one shared instance). */
function counted(command: Cmd): Cmd {
  if (counting.has(command)) return command;
  counting.add(command);
  const run = command.run.bind(command);
  command.run = async (m, r) => {
    await run(m, r);
    executed.set(command.constructor.name, (executed.get(command.constructor.name) ?? 0) + 1);
  };
  return command;
}

// A random seed left the coverage checks below to chance (about one run in eight drew too few
// partial appends); a fixed one makes them a check on the generator instead.
const DEFAULT_SEED = 20261208;

const commandArbs: Array<fc.Arbitrary<Cmd>> = [
  appendArb,
  appendArb,
  fc.record({ pad: fc.integer({ min: 0, max: 80 }), cut: fc.integer({ min: 1, max: 60 }) }).map(({ pad, cut }) => new AppendPartial(pad, cut)),
  fc.constant(new RotateRename()),
  fc.constant(new CopyTruncate()),
  fc.constant(new Delete()),
  fc.constant(new KillAgent()),
  fc.constant(new StartAgent()),
  fc.constant(new KillHub()),
  fc.constant(new StartHub()),
  fc.record({ count: fc.integer({ min: 1, max: 40 }), pad: fc.integer({ min: 0, max: 80 }), killAfter: fc.integer({ min: 0, max: 40 }) }).map(({ count, pad, killAfter }) => new KillHubWhileWriting(count, pad, killAfter)),
  fc.integer({ min: 0, max: 400 }).map((ms) => new Settle(ms)),
];

async function runSequence(commands: Iterable<Cmd>): Promise<void> {
  const { dir, cleanup } = await makeTempDir('sg-model-');
  const log = join(dir, 'app.log');
  await mkdir(join(dir, 'copies'));
  await writeFile(log, '');
  const agentConfig = await writeJson(join(dir, 'agent-config.json'), { ...FAST_AGENT, reconnectCapMs: 300, statsIntervalMs: 0 });
  const deliveries: Delivery[] = [];
  const r: Real = { dir, log, stateFile: join(dir, 'state', 'agent.json'), agentConfig, port: 0, hub: undefined, agent: undefined, rotations: 0, deliveries, client: undefined as unknown as HubClient };
  const m = new DeliveryModel();
  m.startEmpty(String((await stat(log, { bigint: true })).ino));
  try {
    await startRealHub(m, r);
    await startRealAgent(m, r);
    // The viewer comes back by itself after a hub restart and asks for the backlog it missed.
    r.client = new HubClient({ hub: `http://127.0.0.1:${r.port}`, clientName: 'model-viewer', reconnectBaseMs: 50, reconnectCapMs: 300, reconnectBacklog: 10_000 });
    r.client.on('matches', (_sub, lines) => {
      for (const line of lines) deliveries.push({ line: line.line, file: line.file });
    });
    const subscribed = new Promise((resolve) => r.client.once('subscribed', resolve));
    // Every line the model writes starts with 'L'; an unfinished line the agent sends when its file
    // is deleted can be any prefix of one, as short as 'L' itself.
    r.client.subscribe({ sub: 'all', filter: { query: '^L' } });
    r.client.connect();
    await subscribed;

    try {
      await fc.asyncModelRun(() => ({ model: m, real: r }), commands);
    } catch (error) {
      // A command that timed out (a delivery that never came) says what was wrong only in the logs.
      console.log(`failed during ${[...commands].join(', ')}`);
      printLogs();
      throw error;
    }

    if (!m.hubUp) await startRealHub(m, r);
    if (!m.agentUp) await startRealAgent(m, r);
    // A delivery that never came is reported below, with everything else that is wrong.
    const delivered = await waitDelivered(r, m.required()).then(
      () => true,
      () => false,
    );
    if (delivered) {
      await quiesce(m, r).catch((error: unknown) => {
        printLogs();
        throw error;
      });
    }
    const problems = checkDeliveries(m, deliveries, log);
    if (delivered) problems.push(...(await checkHistory(m, r)));
    if (process.env.SUPERGREP_MODEL_VERBOSE) console.log(`${[...commands].join(', ')}: ${deliveries.length} deliveries of ${m.required().length} lines, ${m.kills.length} kills`);
    if (problems.length > 0 || process.env.SUPERGREP_MODEL_VERBOSE) printLogs();
    expect(problems, `after ${[...commands].join(', ')}`).toEqual([]);
    completedSequences += 1;
    linesChecked += m.required().length;
  } finally {
    r.client?.close();
    await Promise.all([...running].map((process) => process.stop()));
    running.clear();
    started.length = 0;
    await cleanup();
  }
}

/** The logs of every hub and agent of the sequence, killed ones included, less the reconnect attempts. */
function printLogs(): void {
  for (const { kind, process } of started) {
    const records = process.logs().filter((record) => record.msg !== 'could not connect to hub; will retry').map(({ time, level: _level, msg, pid: _pid, hostname: _hostname, ...rest }) => `${String(time)} ${String(msg)} ${JSON.stringify(rest)}`);
    console.log(`--- ${kind} ${process.pid}\n${records.slice(-200).join('\n')}`);
  }
}

describe('pipeline model: random rotations, truncations, deletions and kills', () => {
  afterEach(async () => {
    await Promise.all([...running].map((process) => process.stop()));
    running.clear();
  });

  // Sequences that once lost lines, each timing-dependent (the first two failed about every second
  // or third run), so each runs a few times. The deterministic checks of the same faults are unit
  // tests: test/unit/agent/tailing/file-tailer.test.ts (a truncation hidden by a line end at the old offset;
  // a resume point in rewritten contents) and test/unit/server/viewers/viewer-outbox.test.ts (subscribed and its
  // backlog in one write).
  it('replays the sequences that found losses', { timeout: 120_000 }, async () => {
    for (let run = 0; run < 3; run += 1) {
      // The hub acknowledged the 3 lines before the viewer was back; killed right after the viewer's
      // 'subscribed', it had not yet written the backlog behind it.
      await runSequence([new KillHub(), new Append(3, 14), new StartHub(), new KillHub(), new Settle(346), new StartHub(), new KillHub()]);
      // After the copytruncate the file is rewritten past the old offset with a line end there (480 =
      // 20 lines of 24 bytes = 12 of 40); the hub's death rewound the agent before it noticed.
      await runSequence([new Append(20, 15), new CopyTruncate(), new Append(40, 31), new KillHub(), new RotateRename(), new Settle(192)]);
      // The agent is killed before its checkpoint holds the fingerprint of the contents after the
      // first copytruncate (still that of an empty file); the restarted agent's resume point lies in
      // the middle of the rewritten contents, which only the read's own check may judge.
      await runSequence([
        new Append(25, 73), new CopyTruncate(), new KillHub(), new AppendPartial(51, 39), new Append(30, 11), new StartHub(),
        new CopyTruncate(), new Append(14, 44), new KillAgent(), new Append(30, 3), new StartAgent(),
      ]);
      // The file holding only 'L00' is deleted, read out and closed; when the next file gets its inode
      // (a few runs in 30 here), its first bytes match that file's 3-byte fingerprint, and the agent
      // took it for the same file at offset 3. Deterministic: test/unit/agent/tailing/file-registry.test.ts.
      await runSequence([new RotateRename(), new AppendPartial(70, 3), new Delete(), new Settle(236), new Append(22, 18), new Delete()]);
    }
  });

  it('delivers every line, each file in order, duplicates only inside the unacknowledged window', { timeout: 240_000 }, async () => {
    const runs = Number(process.env.SUPERGREP_MODEL_RUNS ?? 20);
    const seedSetting = process.env.SUPERGREP_MODEL_SEED ?? String(DEFAULT_SEED);
    executed.clear();
    completedSequences = 0;
    linesChecked = 0;
    await fc.assert(fc.asyncProperty(fc.commands(commandArbs.map((arb) => arb.map(counted)), { maxCommands: 16, size: 'max' }), runSequence), {
      numRuns: runs,
      // Replays a printed failure: SUPERGREP_MODEL_SEED=<seed> SUPERGREP_MODEL_PATH=<path>.
      ...(seedSetting === 'random' ? {} : { seed: Number(seedSetting), path: process.env.SUPERGREP_MODEL_PATH }),
      // Every run starts real processes: shrinking a failure could take longer than the suite; the
      // failing sequence and its seed are printed instead, to replay with `seed` and `path`.
      endOnFailure: true,
      // A generous bound: a run that cannot finish its sequences in it fails, it does not pass with fewer.
      interruptAfterTimeLimit: 200_000,
      markInterruptAsFailure: true,
    });
    expect(completedSequences).toBe(runs);
    // The sequences that ran did exercise the faults and carried lines (20 sequences typically run
    // about 18 kills, 19 rotations, truncations and deletions, and check 600 lines).
    const counts = Object.fromEntries(executed);
    const ran = (...kinds: string[]) => kinds.reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
    const summary = `${JSON.stringify(counts)}, ${linesChecked} lines`;
    expect(ran('KillAgent', 'KillHub'), `kills: ${summary}`).toBeGreaterThanOrEqual(Math.ceil(runs / 2));
    expect(ran('StartAgent', 'StartHub'), `restarts: ${summary}`).toBeGreaterThanOrEqual(Math.ceil(runs / 10));
    expect(ran('RotateRename', 'CopyTruncate', 'Delete'), `rotations: ${summary}`).toBeGreaterThanOrEqual(Math.ceil(runs / 2));
    expect(ran('AppendPartial'), `partial lines: ${summary}`).toBeGreaterThanOrEqual(Math.ceil(runs / 4));
    expect(ran('KillHubWhileWriting'), `kills while writing: ${summary}`).toBeGreaterThanOrEqual(Math.ceil(runs / 10));
    expect(linesChecked, `lines: ${summary}`).toBeGreaterThanOrEqual(runs * 10);
    if (process.env.SUPERGREP_MODEL_VERBOSE) console.log(`${completedSequences} sequences: ${summary}`);
  });
});
