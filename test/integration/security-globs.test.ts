import { mkdir, writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, encodeLinesFrame } from '../../protocol/node.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { Collector, appendLines, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** The security review's glob: a backtracking matcher takes exponential time on it. 21 characters. */
const HOSTILE_GLOB = `${'*?'.repeat(10)}#`;
const POD_LOG = 'var/log/containers/payments-api-7d9f8c6b5-x2x4z_prod_api-0a1b2c3d.log';
/** 40 characters. */
const LONG_HOST = 'ip-10-0-12-34.eu-west-1.compute.internal';
/** How long the hub may take to answer before the test calls it stalled: a failure bound, not a timing. */
const STALL_BOUND_MS = 10_000;

/** True once /healthz answers 200; a request the hub does not answer within a second counts as no. */
async function healthy(hub: TestHub): Promise<boolean> {
  const response = await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
  return response.status === 200;
}

/**
 * Host and file globs from viewers meet host names and paths from agents in the hub: matching them
 * must take linear time, or one subscription stalls the hub for every agent and viewer. Each case is
 * a reproduction from the security review, through the real CLI.
 */
describe('hostile host and file globs through the real CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  const processes: CliProcess[] = [];
  const viewers: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-globs-'));
    hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
  });
  afterEach(async () => {
    for (const viewer of viewers.splice(0)) viewer.close();
    await Promise.all(processes.splice(0).map((p) => p.stop(2_000)));
    await cleanup();
  });

  async function viewer(filter: ConstructorParameters<typeof Collector>[1]): Promise<Collector> {
    const collector = new Collector(hub.url, filter);
    viewers.push(collector);
    return collector.ready();
  }

  /** A real agent named `host` following the pod log under the temp directory. */
  async function podAgent(host: string): Promise<string> {
    const log = join(dir, POD_LOG);
    await mkdir(join(log, '..'), { recursive: true });
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent-state.json'), name: host });
    processes.push(agent);
    await waitForFollowing(agent, log);
    return log;
  }

  /** The hub answers /healthz and delivers the line after the hostile one to another viewer. */
  async function expectResponsive(witness: Collector, line: string): Promise<void> {
    await waitFor('the hub to answer /healthz', () => healthy(hub), STALL_BOUND_MS);
    await waitFor(`the witness to receive ${JSON.stringify(line)}`, () => witness.texts().includes(line), STALL_BOUND_MS);
  }

  it('a files glob against a pod log path does not stall the hub', async () => {
    const log = await podAgent('web-1');
    const hostile = await viewer({ query: '', files: [HOSTILE_GLOB] });
    const witness = await viewer({ query: '^after ' });
    await appendLines(log, ['payments request 1']);
    await appendLines(log, ['after payments 1']);
    await expectResponsive(witness, 'after payments 1');
    expect(hostile.lines).toEqual([]);
    expect(hostile.errors).toEqual([]);
  });

  it('a 21-character hosts glob against a 40-character host name does not stall the hub', async () => {
    const log = await podAgent(LONG_HOST);
    const hostile = await viewer({ query: '', hosts: [HOSTILE_GLOB] });
    const witness = await viewer({ query: '^after ' });
    await appendLines(log, ['host line 1']);
    await appendLines(log, ['after host 1']);
    await expectResponsive(witness, 'after host 1');
    expect(hostile.lines).toEqual([]);
    // A glob it does select is still matched as before.
    const selected = await viewer({ query: '', hosts: ['ip-*.compute.internal'], files: ['payments-api-*.log'] });
    await appendLines(log, ['after selected 1']);
    await waitFor('the selecting viewer to receive its line', () => selected.texts().includes('after selected 1'), STALL_BOUND_MS);
  });

  it('a files glob against a path with a 1,000-character segment does not stall the hub', async () => {
    // No file system allows such a name, so an agent connection sends the path itself.
    const path = `/srv/${'a'.repeat(1_000)}/app.log`;
    const hostile = await viewer({ query: '', files: [`/srv/${'*a'.repeat(12)}b/*.log`] });
    const witness = await viewer({ query: '^after ' });
    const agent = new WebSocket(`${hub.wsUrl}/ws/agent`, { perMessageDeflate: false });
    const welcome = new Promise((resolve) => agent.once('message', resolve));
    await new Promise((resolve, reject) => agent.once('open', resolve).once('error', reject));
    agent.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host: 'long-path-host', agentVersion: 'test' }));
    await welcome;
    try {
      let offset = 0;
      ['a line from the long path', 'after long path 1'].forEach((line, index) => {
        const body = Buffer.from(`${line}\n`);
        const header = { batch: index + 1, file: path, fileId: '1.g1', offset, endOffset: offset + body.length, lineCount: 1, ts: Date.now() };
        agent.send(encodeLinesFrame(header, body));
        offset += body.length;
      });
      await expectResponsive(witness, 'after long path 1');
      expect(witness.lines.map((line) => line.file)).toEqual([path]);
      expect(hostile.lines).toEqual([]);
    } finally {
      agent.terminate();
    }
  });

  it('refuses over-long globs and over-long glob lists with SG_ERR_LIMIT, and malformed ones with SG_ERR_BAD_REQUEST', async () => {
    const cases: Array<[Parameters<typeof viewer>[0], string]> = [
      [{ query: '', files: [`${'*'.repeat(300)}`] }, 'SG_ERR_LIMIT: a host or file glob is 300 characters long; the hub accepts at most 256'],
      [{ query: '', hosts: Array.from({ length: 33 }, (_, i) => `web-${i}`) }, 'SG_ERR_LIMIT: a host or file list has 33 globs; the hub accepts at most 32'],
      [{ query: '', files: ['/var/log/[abc.log'] }, 'SG_ERR_BAD_REQUEST: invalid file glob "/var/log/[abc.log": [ at character 10 is not closed (write \\[ for the character itself)'],
      [{ query: '', hosts: ['web-{1,2'] }, 'SG_ERR_BAD_REQUEST: invalid host glob "web-{1,2": { at character 5 is not closed (write \\{ for the character itself)'],
    ];
    for (const [filter, error] of cases) {
      const refused = new Collector(hub.url, filter);
      viewers.push(refused);
      await waitFor(`the refusal ${error}`, () => refused.errors.length > 0);
      expect(refused.errors).toEqual([error]);
      // Refused on its own: the connection stays open.
      expect(refused.client.connected).toBe(true);
    }
    // The limits themselves are accepted.
    const atLimits = await viewer({ query: '', hosts: Array.from({ length: 32 }, (_, i) => `${'?'.repeat(250)}-${i}`) });
    expect(atLimits.errors).toEqual([]);
  });
});
