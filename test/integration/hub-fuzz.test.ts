import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { agentBinaryFrame, agentHello, clientTemplates, deepJson, hostileValue, mutateBytes, mutateObject, textFrame } from '../helpers/frame-mutations.js';
import { metricValue } from '../helpers/http-api.js';
import { LineWriter } from '../helpers/reliability.js';
import { Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const AGENT_TOKEN = 'fuzz-agent-secret-0123456789';
const VIEWER_TOKEN = 'fuzz-viewer-secret-0123456789';
/** A fuzz case gets this long to be answered (or closed) before its socket is cut. */
const CASE_MS = 150;

/**
 * Random and mutated frames against every hub endpoint while a real agent streams lines to a real
 * viewer. Whatever arrives, the hub must stay up, close at most the connection that sent it, never
 * fail inside (no error-level log, no HTTP 5xx), and the viewer must keep receiving its lines.
 */
describe('hub under protocol fuzzing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  let writer: LineWriter;
  let watcher: Collector;
  /** When each delivery to the watcher arrived, to find the longest silence. */
  const arrivals: number[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-fuzz-'));
    hub = await startHub({ dataDir: join(dir, 'hub'), env: { SUPERGREP_AGENT_TOKEN: AGENT_TOKEN, SUPERGREP_VIEWER_TOKEN: VIEWER_TOKEN } });
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json'), name: 'real-host', token: AGENT_TOKEN });
    await waitForFollowing(agent, log);
    watcher = await new Collector(hub.url, { query: '^beat ', hosts: ['real-host'] }, { token: VIEWER_TOKEN }).ready();
    watcher.client.on('matches', () => arrivals.push(Date.now()));
    writer = new LineWriter(() => log, 'beat', 5, 50, 200_000).start();
    await waitFor('the first lines', () => watcher.lines.length > 0);
  });

  afterAll(async () => {
    await writer?.stop();
    watcher?.close();
    await agent?.stop();
    await hub?.process.stop();
    await cleanup?.();
  });

  /** Opens a socket, sends `frames` in order, waits a moment for the hub's answer, then cuts it. */
  async function wsCase(path: string, headers: Record<string, string>, frames: Array<string | Buffer>): Promise<void> {
    const socket = new WebSocket(`${hub.wsUrl}${path}`, { headers, perMessageDeflate: false });
    socket.on('error', () => {
      // Refused upgrades and cut connections are expected answers to garbage.
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const opened = await Promise.race([new Promise<boolean>((resolve) => socket.once('open', () => resolve(true))), closed.then(() => false)]);
    if (opened) {
      for (const frame of frames) {
        if (socket.readyState !== WebSocket.OPEN) break;
        socket.send(frame, { binary: Buffer.isBuffer(frame) });
      }
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CASE_MS))]);
    }
    socket.terminate();
    await closed;
  }

  const viewerHeaders = fc.constantFrom<Record<string, string>>({ authorization: `Bearer ${VIEWER_TOKEN}` }, {}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${VIEWER_TOKEN}`, origin: 'http://127.0.0.1' });

  it('survives random and mutated viewer frames on /ws/client', { timeout: 120_000 }, async () => {
    const hello = JSON.stringify(clientTemplates[0]);
    const frames = fc.array(fc.oneof(textFrame(clientTemplates), fc.uint8Array({ maxLength: 128 }).map((bytes) => Buffer.from(bytes))), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(viewerHeaders, fc.boolean(), frames, async (headers, helloFirst, sent) => {
        await wsCase('/ws/client', headers, helloFirst ? [hello, ...sent] : sent);
      }),
      { numRuns: 250 },
    );
  });

  it('survives random and mutated agent frames on /ws/agent', { timeout: 120_000 }, async () => {
    const hello = fc.oneof(fc.constant(JSON.stringify(agentHello)), mutateObject(agentHello).map((message) => JSON.stringify(message)), textFrame([agentHello]));
    const frames = fc.array(fc.oneof(agentBinaryFrame, agentBinaryFrame, textFrame([agentHello])), { minLength: 1, maxLength: 4 });
    const headers = fc.constantFrom<Record<string, string>>({ authorization: `Bearer ${AGENT_TOKEN}` }, { authorization: `Bearer ${AGENT_TOKEN}` }, {}, { authorization: `Bearer ${VIEWER_TOKEN}` });
    await fc.assert(
      fc.asyncProperty(headers, hello, frames, async (sentHeaders, sentHello, sent) => {
        await wsCase('/ws/agent', sentHeaders, [sentHello, ...sent]);
      }),
      { numRuns: 250 },
    );
  });

  it('answers every HTTP API request with a JSON answer below 500', { timeout: 120_000 }, async () => {
    const validBodies: Array<Record<string, unknown>> = [
      { name: 'fuzz pin', query: 'ERROR', exclude: 'x', caseInsensitive: true, hosts: ['a*'], files: ['*.log'] },
      { label: 'fuzz deploy', by: 'ci', url: 'https://ci.example/1', startedAt: 1_764_190_000_000, finishedAt: '2026-11-26T21:40:00Z' },
      { title: 'fuzz capture', filter: { query: 'x' }, lines: [{ host: 'h', file: '/f', ts: 1, line: 'l' }] },
    ];
    const id = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('..', '%00', '%E0%A4%A', 'k3x9q2aa0b1c', 'a'.repeat(3000)));
    const path = fc.oneof(
      fc.constantFrom('/api/pins', '/api/deploys', '/api/captures', '/api/nope', '/api'),
      id.map((value) => `/api/pins/${encodeURIComponent(value)}`),
      id.map((value) => `/api/pins/${encodeURIComponent(value)}/rate`),
      id.map((value) => `/api/captures/${encodeURIComponent(value)}`),
      id.map((value) => `/api/captures/${encodeURIComponent(value)}.md`),
      fc.constantFrom('/api/%', '/api/pins/%ZZ', '/api//pins'),
    );
    const query = fc.oneof(fc.constant(''), fc.dictionary(fc.constantFrom('minutes', 'since', 'x', 'minutes[]'), fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('1e999', '-1', '0', '1441', 'NaN'))).map((entries) => `?${new URLSearchParams(entries)}`));
    const body = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(...validBodies).map((value) => JSON.stringify(value)),
      fc.constantFrom(...validBodies).chain(mutateObject).map((value) => JSON.stringify(value)),
      fc.constantFrom(...validBodies).chain((value) => mutateBytes(Buffer.from(JSON.stringify(value)))).map((bytes) => bytes.toString('latin1')),
      hostileValue.map((value) => JSON.stringify(value) ?? 'undefined'),
      deepJson(100_000),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'),
      path,
      query,
      body,
      contentType: fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded'),
      token: fc.constantFrom(VIEWER_TOKEN, VIEWER_TOKEN, VIEWER_TOKEN, 'nope', ''),
    });
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path: target, query: search, body: sent, contentType, token }) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (token) headers.authorization = `Bearer ${token}`;
        const withBody = sent !== undefined && method !== 'GET';
        const response = await fetch(`${hub.url}${target}${search}`, { method, headers, ...(withBody ? { body: sent } : {}), signal: AbortSignal.timeout(5_000) });
        const text = await response.text();
        const json = response.headers.get('content-type')?.includes('application/json') ?? false;
        if (response.status >= 500 || (response.status >= 400 && !(json && /"code":"SG_ERR_[A-Z_]+"/.test(text)))) {
          failures.push(`${method} ${target}${search} ${withBody ? sent!.slice(0, 80) : ''} -> ${response.status} ${text.slice(0, 200)}`);
        }
      }),
      { numRuns: 400 },
    );
    expect(failures).toEqual([]);
  });

  it('survives raw garbage and mangled requests on the HTTP port', { timeout: 60_000 }, async () => {
    const upgrade = Buffer.from(`GET /ws/client HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const payload = fc.oneof(mutateBytes(upgrade), fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)));
    await fc.assert(
      fc.asyncProperty(payload, async (bytes) => {
        const socket = connect(hub.port, '127.0.0.1');
        socket.on('error', () => {
          // A reset is a fine answer to garbage.
        });
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.write(bytes);
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 30))]);
        socket.destroy();
        await closed;
      }),
      { numRuns: 100 },
    );
  });

  it('is not stalled by an agent frame whose header nests millions of levels deep', { timeout: 30_000 }, async () => {
    const socket = new WebSocket(`${hub.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` }, perMessageDeflate: false });
    socket.on('error', () => {
      // The hub closes this connection; that is the expected answer.
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify(agentHello));
    await new Promise((resolve) => socket.once('message', resolve));
    // 8 MB of '[' and ']' (within maxAgentFrameBytes): JSON.parse alone would hold the event loop for seconds.
    const depth = 4_000_000;
    const json = Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const prefix = Buffer.from([1, 0, 0, 0, 0]);
    prefix.writeUInt32BE(json.length, 1);
    socket.send(Buffer.concat([prefix, json]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect(performance.now() - started, 'healthz answer time while the hub read the frame (ms)').toBeLessThan(1_000);
    expect(await closed).toBe(4400);
  });

  it('stayed up and never stopped delivering the real agent\u2019s lines to the real viewer', async () => {
    const written = await writer.stop();
    await watcher.waitForCount(written.length, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.texts()).toEqual(written);
    expect(watcher.client.connected).toBe(true);
    const gaps = arrivals.slice(1).map((time, index) => time - arrivals[index]!);
    expect(Math.max(...gaps), 'longest silence of the viewer while the hub was fuzzed (ms)').toBeLessThan(2_000);
    expect(hub.process.running && agent.running).toBe(true);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } })).text();
    // The fuzz reached the parsers of both endpoints (not only the token check).
    expect(metricValue(metrics, 'supergrep_protocol_errors_total{endpoint="client"}')).toBeGreaterThan(10);
    expect(metricValue(metrics, 'supergrep_protocol_errors_total{endpoint="agent"}')).toBeGreaterThan(10);
    // A malformed message is the sender's problem: nothing failed inside the hub.
    const internal = hub.process.logs().filter((record) => Number(record.level) >= 50);
    expect(internal).toEqual([]);
    // The real agent was never disturbed: one connection all along.
    expect(agent.logs().filter((record) => record.msg === 'connected to hub')).toHaveLength(1);
  });
});
