import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../lib/hub-client.js';
import type { HubToClient } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { metricValue } from '../helpers/http-api.js';
import { Collector, join, startAgent, startHub, waitForFollowing } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** The load of the security review: about 2,000 lines/s, 20,000 lines in all. */
const TOTAL_LINES = 20_000;
const CHUNK_LINES = 100;
const CHUNK_INTERVAL_MS = 50;
/** The writer gives up after this long even if the hub were to slow it down (it cannot: appends do not wait). */
const WRITE_BOUND_MS = 60_000;
/** A /healthz probe that takes longer than this fails the test. */
const HEALTH_FAILURE_MS = 2_000;
/** Twenty hostile patterns: each cheap alone, ruinous searched together. */
const HOSTILE = Array.from({ length: 20 }, (_, i) => `(?s).{${1000 - i}}Q`);
/** How many of them one viewer may hold (MAX_COSTLY_FILTERS_PER_VIEWER). */
const ACCEPTED = 4;

/** Lines of 80 to 160 random characters, `Q` among them, after a sequence number. */
function randomLines(from: number, count: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 =:/ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let text = '';
  for (let i = from; i < from + count; i += 1) {
    let line = `seq=${String(i).padStart(6, '0')} `;
    const length = 80 + Math.floor(Math.random() * 80);
    for (let c = 0; c < length; c += 1) line += alphabet[Math.floor(Math.random() * alphabet.length)];
    text += `${line}\n`;
  }
  return text;
}

describe('costly filters cannot starve the hub', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const processes: CliProcess[] = [];
  const clients: Array<{ close(): void }> = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  it('keeps acking, answering /healthz and delivering to other viewers while one viewer holds hostile patterns', async () => {
    const hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const stateFile = join(dir, 'agent-state.json');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile, name: 'loaded' });
    processes.push(agent);
    await waitForFollowing(agent, log);

    // The hostile viewer: twenty subscriptions; those beyond its budget are refused on their own.
    const hostile = new HubClient({ hub: hub.url, clientName: 'hostile' });
    clients.push(hostile);
    const subscribed = new Set<string>();
    const refused = new Map<string, HubToClient & { type: 'error' }>();
    hostile.on('subscribed', (sub) => subscribed.add(sub));
    hostile.on('hubError', (error) => {
      if (error.sub !== undefined) refused.set(error.sub, error);
    });
    HOSTILE.forEach((query, i) => hostile.subscribe({ sub: `h${i}`, filter: { query } }));
    hostile.connect();
    await waitFor('an answer to every hostile subscription', () => subscribed.size + refused.size === HOSTILE.length);

    // The ordinary viewer, which must see every line, in order.
    const ordinary = await new Collector(hub.url, { query: 'seq=\\d+' }).ready();
    clients.push(ordinary);

    // /healthz probed all along, each probe bounded.
    const healthLatencies: number[] = [];
    const healthFailures: string[] = [];
    let writing = true;
    const prober = (async () => {
      while (writing) {
        const start = performance.now();
        try {
          const response = await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(HEALTH_FAILURE_MS) });
          if (response.status !== 200) healthFailures.push(`status ${response.status}`);
          await response.arrayBuffer();
        } catch (error) {
          healthFailures.push((error as Error).message);
        }
        healthLatencies.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const writeStart = performance.now();
    for (let written = 0; written < TOTAL_LINES && performance.now() - writeStart < WRITE_BOUND_MS; written += CHUNK_LINES) {
      await appendFile(log, randomLines(written, CHUNK_LINES));
      await new Promise((resolve) => setTimeout(resolve, CHUNK_INTERVAL_MS));
    }
    const size = (await stat(log)).size;

    // Every line reaches the ordinary viewer, once and in order.
    await ordinary.waitForCount(TOTAL_LINES, 30_000);
    // Every batch was acknowledged: the agent's checkpoint reaches the end of the file.
    await waitFor(
      'the agent checkpoint to reach the end of the file',
      async () => {
        const state = JSON.parse(await readFile(stateFile, 'utf8').catch(() => '{"files":[]}')) as { files: Array<{ path: string; offset: number }> };
        return state.files.find((file) => file.path === log)?.offset === size;
      },
      20_000,
    );
    writing = false;
    await prober;

    expect(ordinary.lines.map((line) => Number(/^seq=(\d+)/.exec(line.line)![1]))).toEqual(Array.from({ length: TOTAL_LINES }, (_, i) => i));
    expect(ordinary.errors).toEqual([]);
    expect(healthFailures).toEqual([]);
    expect(healthLatencies.length).toBeGreaterThan(10);

    // The first four hostile patterns were accepted (evaluated alone, line by line), the rest refused.
    expect([...subscribed].sort()).toEqual(HOSTILE.slice(0, ACCEPTED).map((_, i) => `h${i}`).sort());
    expect(refused.size).toBe(HOSTILE.length - ACCEPTED);
    expect(refused.get('h4')).toMatchObject({
      code: 'SG_ERR_TOO_EXPENSIVE',
      message: `pattern "(?s).{996}Q" is costly, its counted repetition {996} making it about 7,972 RE2 instructions, and this connection already holds 4 costly filters, the most one viewer may: unsubscribe one, or shorten the repetition`,
    });
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metricValue(metrics, 'supergrep_costly_filters')).toBe(ACCEPTED);
    expect(metricValue(metrics, 'supergrep_too_expensive_filters_total{reason="viewer"}')).toBe(HOSTILE.length - ACCEPTED);
    expect(metricValue(metrics, 'supergrep_agent_lines_total{host="loaded"}')).toBe(TOTAL_LINES);
  });

  it('refuses a pattern over the cost limit, from tail and for a pin, with the repetition to shorten', async () => {
    const hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    const pattern = '(?s).{1000}Q.{1000}R';
    const message = `pattern "${pattern}" would cost about 16,006 RE2 instructions; the limit is 10,000: shorten the counted repetition {1000}`;
    const tail = new CliProcess(['tail', '--hub', hub.url, pattern]);
    processes.push(tail);
    expect((await tail.exited).code).toBe(2);
    expect(tail.stderrLines.join('\n')).toContain(message);
    const pin = await fetch(`${hub.url}/api/pins`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'p', query: pattern }) });
    expect(pin.status).toBe(400);
    expect(await pin.json()).toEqual({ error: { code: 'SG_ERR_TOO_EXPENSIVE', message } });
  });
});
