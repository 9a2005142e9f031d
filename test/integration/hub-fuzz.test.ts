import { connect } from 'node:net';
import { appendFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentToHubSchema,
  CLOSE_CODES,
  clientToHubSchema,
  decodeLinesFrame,
  DEFAULT_LIMITS,
  hubToAgentSchema,
  hubToClientSchema,
  parseMessage,
  PROTOCOL_VERSION,
  type ErrorCode,
} from '../../protocol/node.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { agentBinaryFrame, agentHello, clientTemplates, deepJson, hostileValue, mutateBytes, mutateObject, textFrame, validLinesFrame } from '../helpers/frame-mutations.js';
import { metricValue } from '../helpers/http-api.js';
import { LineWriter } from '../helpers/reliability.js';
import { Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const AGENT_TOKEN = 'fuzz-agent-secret-0123456789';
const VIEWER_TOKEN = 'fuzz-viewer-secret-0123456789';
/** How long one fuzz case may take to be answered or closed before the test fails. */
const CASE_TIMEOUT_MS = 10_000;
/** Every this many cases, the real viewer must have every line the real agent's file got so far. */
const DELIVERY_CHECK_EVERY = 50;

/**
 * What the protocol (docs/protocol.md) says the hub does with what one fuzz case sends: refuse the
 * upgrade with an HTTP status, close with an error code and a close code (the code is absent when
 * the WebSocket layer closes for size), or keep the connection open.
 */
type Expected =
  | { kind: 'refused'; status: number }
  | { kind: 'closed'; code: ErrorCode | undefined; close: number; welcomed: boolean; acked: number }
  | { kind: 'open'; welcomed: boolean; acked: number };

const protocolError = (welcomed: boolean, acked = 0): Expected => ({ kind: 'closed', code: 'SG_ERR_PROTOCOL', close: CLOSE_CODES.protocolError, welcomed, acked });

/** The viewer endpoint's answer, frame by frame, to `frames` sent with `headers`. */
function expectViewer(headers: Record<string, string>, frames: Array<string | Buffer>): Expected {
  if (headers.origin !== undefined) return { kind: 'refused', status: 403 };
  if (headers.authorization !== undefined && headers.authorization !== `Bearer ${VIEWER_TOKEN}`) return { kind: 'refused', status: 401 };
  let ready = false;
  for (const frame of frames) {
    if (Buffer.isBuffer(frame)) return protocolError(ready);
    if (Buffer.byteLength(frame) > DEFAULT_LIMITS.maxClientMessageBytes) return { kind: 'closed', code: undefined, close: 1009, welcomed: ready, acked: 0 };
    const parsed = parseMessage(clientToHubSchema, frame);
    if (!parsed.ok) return protocolError(ready);
    const message = parsed.value;
    if (message.type !== 'hello') {
      if (!ready) return protocolError(false);
      continue;
    }
    if (ready) return protocolError(true);
    if (message.protocolVersion !== PROTOCOL_VERSION) return { kind: 'closed', code: 'SG_ERR_VERSION', close: CLOSE_CODES.versionMismatch, welcomed: false, acked: 0 };
    if (headers.authorization === undefined && message.token !== VIEWER_TOKEN) {
      return message.token === AGENT_TOKEN
        ? { kind: 'closed', code: 'SG_ERR_FORBIDDEN', close: CLOSE_CODES.forbidden, welcomed: false, acked: 0 }
        : { kind: 'closed', code: 'SG_ERR_UNAUTHORIZED', close: CLOSE_CODES.unauthorized, welcomed: false, acked: 0 };
    }
    ready = true;
  }
  return { kind: 'open', welcomed: ready, acked: 0 };
}

/** The agent endpoint's answer to a hello and the frames after it, sent with `headers`. */
function expectAgent(headers: Record<string, string>, frames: Array<string | Buffer>): Expected {
  if (headers.authorization === undefined) return { kind: 'refused', status: 401 };
  if (headers.authorization !== `Bearer ${AGENT_TOKEN}`) return { kind: 'refused', status: 403 };
  let ready = false;
  let batch = 0;
  for (const frame of frames) {
    if (Buffer.isBuffer(frame)) {
      if (!ready) return protocolError(false);
      let header;
      try {
        ({ header } = decodeLinesFrame(frame));
      } catch {
        return protocolError(true, batch);
      }
      if (header.batch !== batch + 1) return protocolError(true, batch);
      batch += 1;
      continue;
    }
    const parsed = parseMessage(agentToHubSchema, frame);
    if (!parsed.ok || ready) return protocolError(ready, batch);
    if (parsed.value.protocolVersion !== PROTOCOL_VERSION) return { kind: 'closed', code: 'SG_ERR_VERSION', close: CLOSE_CODES.versionMismatch, welcomed: false, acked: 0 };
    ready = true;
  }
  return { kind: 'open', welcomed: ready, acked: batch };
}

/** Counts the kinds of answer the cases called for: refused, open, or closed with each code. */
function tally(kinds: Map<string, number>, expected: Expected): void {
  const kind = expected.kind === 'closed' ? (expected.code ?? `close ${expected.close}`) : expected.kind;
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}

/** The run exercised refusals, open connections, protocol errors and version refusals, not only one. */
function expectVariety(kinds: Map<string, number>): void {
  const counts = Object.fromEntries(kinds);
  for (const kind of ['refused', 'open', 'SG_ERR_PROTOCOL']) expect(counts[kind] ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(10);
  expect(counts.SG_ERR_VERSION ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(3);
}

/** What came back on one fuzz connection. */
interface Outcome {
  /** The HTTP status of a refused upgrade. */
  refusedWith?: number;
  /** Every text message from the hub, in order. */
  texts: string[];
  binaryMessages: number;
  /** Pongs to the test's ping sent after the frames: the hub handled every frame before it. */
  pongs: number;
  /** The close code, when the hub closed the connection (not the test). */
  closedByHub?: number;
  /** Socket errors other than a refused upgrade: none are expected. */
  errors: string[];
}

type Message = { type: string; code?: string; sub?: string; req?: string; batch?: number };

/** Checks one case's outcome against what the protocol says, message by message. */
function checkOutcome(expected: Expected, outcome: Outcome, schema: typeof hubToClientSchema | typeof hubToAgentSchema): void {
  expect(outcome.errors, 'socket errors').toEqual([]);
  expect(outcome.binaryMessages, 'binary messages from the hub').toBe(0);
  const messages = outcome.texts.map((text) => {
    const parsed = parseMessage(schema as typeof hubToClientSchema, text);
    expect(parsed, `a hub message that breaks the protocol: ${text.slice(0, 200)}`).toMatchObject({ ok: true });
    return JSON.parse(text) as Message;
  });
  if (expected.kind === 'refused') {
    expect(outcome.refusedWith, 'HTTP status of the refused upgrade').toBe(expected.status);
    expect(messages).toEqual([]);
    return;
  }
  expect(outcome.refusedWith, 'the upgrade was refused').toBeUndefined();
  // A fatal error goes out ahead of anything still queued, a welcome included.
  if (expected.welcomed && expected.kind === 'open') expect(messages[0]?.type, 'the first message').toBe('welcome');
  if (!expected.welcomed) expect(messages.filter((message) => message.type === 'welcome')).toEqual([]);
  if (messages.some((message) => message.type === 'welcome')) expect(messages[0]?.type, 'the first message').toBe('welcome');
  // Errors about one request (`sub`, `req`) leave the connection open; any other error closes it.
  const requestErrors = messages.filter((message) => message.type === 'error' && (message.sub !== undefined || message.req !== undefined));
  for (const error of requestErrors) expect(['SG_ERR_BAD_REGEX', 'SG_ERR_LIMIT']).toContain(error.code);
  const connectionErrors = messages.filter((message) => message.type === 'error' && message.sub === undefined && message.req === undefined);
  const acks = messages.filter((message) => message.type === 'ack').map((message) => message.batch!);
  expect(Math.max(0, ...acks), 'the last batch acknowledged').toBe(expected.acked);
  if (expected.kind === 'open') {
    expect(connectionErrors).toEqual([]);
    expect(outcome.closedByHub, 'close code of a connection that should have stayed open').toBeUndefined();
    return;
  }
  expect(outcome.closedByHub, `close code (after ${outcome.texts.at(-1)?.slice(0, 200)})`).toBe(expected.close);
  if (expected.code === undefined) expect(connectionErrors).toEqual([]);
  else {
    expect(connectionErrors).toHaveLength(1);
    expect(messages.at(-1), 'the last message before the close').toMatchObject({ type: 'error', code: expected.code });
  }
}

/**
 * Random and mutated frames against every hub endpoint while a real agent streams lines to a real
 * viewer. Each case must get the answer the protocol documents (an HTTP status, an error code and a
 * close code, or a connection that stays open), the hub must stay up after each one (/healthz),
 * never fail inside (no error-level log, no HTTP 5xx), and the viewer must keep receiving its lines.
 */
describe('hub under protocol fuzzing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let writer: LineWriter;
  let watcher: Collector;
  let cases = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-fuzz-'));
    hub = await startHub({ dataDir: join(dir, 'hub'), env: { SUPERGREP_AGENT_TOKEN: AGENT_TOKEN, SUPERGREP_VIEWER_TOKEN: VIEWER_TOKEN } });
    log = join(dir, 'app.log');
    await writeFile(log, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'state.json'), name: 'real-host', token: AGENT_TOKEN });
    await waitForFollowing(agent, log);
    watcher = await new Collector(hub.url, { query: '^beat ', hosts: ['real-host'] }, { token: VIEWER_TOKEN }).ready();
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

  /** The real viewer has received, in order, every line written to the real agent's file so far. */
  async function deliveredSoFar(): Promise<void> {
    const written = writer.written.slice();
    await waitFor(`the real viewer to receive ${written.length} lines (has ${watcher.lines.length})`, () => watcher.lines.length >= written.length);
    expect(watcher.texts().slice(0, written.length)).toEqual(written);
  }

  /** After each case: the hub still answers, and now and then the real lines are checked. */
  async function afterCase(): Promise<void> {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    cases += 1;
    if (cases % DELIVERY_CHECK_EVERY === 0) await deliveredSoFar();
  }

  /**
   * Opens a socket, sends `frames` in order and, while it is still open, `barrier` (a request the hub
   * answers after everything before it) or else a ping; returns once the hub closed the connection
   * or `settled` says its answers are all in, then cuts the connection.
   */
  async function wsCase(path: string, headers: Record<string, string>, frames: Array<string | Buffer>, settled: (outcome: Outcome) => boolean, barrier?: string): Promise<Outcome> {
    const outcome: Outcome = { texts: [], binaryMessages: 0, pongs: 0, errors: [] };
    const socket = new WebSocket(`${hub.wsUrl}${path}`, { headers, perMessageDeflate: false });
    let cut = false;
    let closed = false;
    socket.on('error', (error) => {
      const refused = /^Unexpected server response: (\d+)$/.exec(error.message);
      if (refused) outcome.refusedWith = Number(refused[1]);
      else outcome.errors.push(error.message);
    });
    socket.on('pong', () => (outcome.pongs += 1));
    socket.on('message', (data, isBinary) => {
      if (isBinary) outcome.binaryMessages += 1;
      else outcome.texts.push(String(data));
    });
    const close = new Promise<void>((resolve) =>
      socket.once('close', (code) => {
        closed = true;
        if (!cut && outcome.refusedWith === undefined) outcome.closedByHub = code;
        resolve();
      }),
    );
    const opened = await Promise.race([new Promise<boolean>((resolve) => socket.once('open', () => resolve(true))), close.then(() => false)]);
    if (opened) {
      for (const frame of frames) {
        if (socket.readyState !== WebSocket.OPEN) break;
        socket.send(frame, { binary: Buffer.isBuffer(frame) });
      }
      if (socket.readyState === WebSocket.OPEN) {
        if (barrier === undefined) socket.ping();
        else socket.send(barrier);
      }
      await waitFor(`the hub to answer or close (${JSON.stringify(outcome)})`, () => closed || settled(outcome), CASE_TIMEOUT_MS);
    }
    cut = true;
    socket.terminate();
    await close;
    return outcome;
  }

  const viewerHeaders = fc.oneof(
    { arbitrary: fc.constant<Record<string, string>>({ authorization: `Bearer ${VIEWER_TOKEN}` }), weight: 3 },
    { arbitrary: fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${VIEWER_TOKEN}`, origin: 'http://127.0.0.1' }), weight: 2 },
  );
  const BARRIER_REQ = 'fuzz-barrier';
  const viewerBarrier = JSON.stringify({ type: 'context', req: BARRIER_REQ, id: 'abc-1-0', before: 0, after: 0 });
  const barrierAnswered = (outcome: Outcome): boolean => outcome.texts.some((text) => text.includes(`"req":"${BARRIER_REQ}"`) && (JSON.parse(text) as Message).req === BARRIER_REQ);

  it('answers random and mutated viewer frames on /ws/client as the protocol says', { timeout: 120_000 }, async () => {
    const kinds = new Map<string, number>();
    const hello = clientTemplates[0]!;
    // Hellos for each answer: plain (the header's token decides), another protocol version, and a
    // token in the hello as browsers send it: the viewer's, an agent's, a wrong one.
    const firstFrames = fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(hello)), weight: 6 },
      { arbitrary: fc.constantFrom(PROTOCOL_VERSION + 1, 0).map((protocolVersion) => JSON.stringify({ ...hello, protocolVersion })), weight: 1 },
      { arbitrary: fc.constantFrom(VIEWER_TOKEN, AGENT_TOKEN, 'wrong').map((token) => JSON.stringify({ ...hello, token })), weight: 2 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
    const valid = fc.constantFrom(...clientTemplates.slice(1)).map((message) => JSON.stringify(message));
    const frames = fc.array(
      fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: textFrame(clientTemplates), weight: 3 }, { arbitrary: fc.uint8Array({ maxLength: 128 }).map((bytes) => Buffer.from(bytes)), weight: 1 }),
      { minLength: 1, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(viewerHeaders, firstFrames, frames, async (headers, first, sent) => {
        const all = first === undefined ? sent : [first, ...sent];
        const expected = expectViewer(headers, all);
        tally(kinds, expected);
        checkOutcome(expected, await wsCase('/ws/client', headers, all, barrierAnswered, viewerBarrier), hubToClientSchema);
        await afterCase();
      }),
      { numRuns: 250 },
    );
    // Every kind of answer was exercised, not only refusals.
    expectVariety(kinds);
    await deliveredSoFar();
  });

  it('answers random and mutated agent frames on /ws/agent as the protocol says', { timeout: 120_000 }, async () => {
    const kinds = new Map<string, number>();
    const hello = fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(agentHello)), weight: 4 },
      { arbitrary: fc.constantFrom(PROTOCOL_VERSION + 1, 0).map((protocolVersion) => JSON.stringify({ ...agentHello, protocolVersion })), weight: 1 },
      { arbitrary: mutateObject(agentHello).map((message) => JSON.stringify(message)), weight: 1 },
      { arbitrary: textFrame([agentHello]), weight: 1 },
    );
    // 'next' is a valid frame numbered after the valid ones before it, 'again' repeats a number.
    const step = fc.oneof(
      { arbitrary: fc.constantFrom<'next' | 'again'>('next', 'next', 'next', 'again'), weight: 4 },
      { arbitrary: agentBinaryFrame, weight: 3 },
      { arbitrary: textFrame([agentHello]), weight: 1 },
    );
    const frames = fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => {
      let numbered = 0;
      return steps.map((item) => {
        if (item === 'next') return validLinesFrame(++numbered);
        if (item === 'again') return validLinesFrame(Math.max(1, numbered));
        return item;
      });
    });
    const headers = fc.constantFrom<Record<string, string>>({ authorization: `Bearer ${AGENT_TOKEN}` }, { authorization: `Bearer ${AGENT_TOKEN}` }, { authorization: `Bearer ${AGENT_TOKEN}` }, {}, { authorization: `Bearer ${VIEWER_TOKEN}` });
    await fc.assert(
      fc.asyncProperty(headers, hello, frames, async (sentHeaders, sentHello, sent) => {
        const all = [sentHello, ...sent];
        const expected = expectAgent(sentHeaders, all);
        tally(kinds, expected);
        // Acks are cumulative and come last: once the last batch's is in, every answer is.
        const acked = expected.kind === 'refused' ? 0 : expected.acked;
        // Acks are coalesced after the turn, so an open connection also waits for the last one.
        const settled = (outcome: Outcome): boolean => outcome.pongs > 0 && (expected.kind !== 'open' || outcome.texts.some((text) => (JSON.parse(text) as Message).batch === acked));
        checkOutcome(expected, await wsCase('/ws/agent', sentHeaders, all, settled), hubToAgentSchema);
        await afterCase();
      }),
      { numRuns: 250 },
    );
    expectVariety(kinds);
    await deliveredSoFar();
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
        await afterCase();
      }),
      { numRuns: 400 },
    );
    expect(failures).toEqual([]);
    await deliveredSoFar();
  });

  it('answers raw garbage and mangled requests on the HTTP port with an HTTP error, never a 5xx', { timeout: 60_000 }, async () => {
    const upgrade = Buffer.from(`GET /ws/client HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const payload = fc.oneof(mutateBytes(upgrade), fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)));
    const answers = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(payload, async (bytes) => {
        // The whole request, then end of input: the hub has all it will get and must answer now.
        const socket = connect(hub.port, '127.0.0.1');
        const chunks: Buffer[] = [];
        const errors: string[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.end(bytes);
        await waitFor('the hub to answer and close', () => socket.destroyed, CASE_TIMEOUT_MS);
        await closed;
        const answer = Buffer.concat(chunks).toString('latin1');
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];
        answers.set(status ?? (answer === '' ? 'nothing' : 'garbage'), (answers.get(status ?? 'nothing') ?? 0) + 1);
        // A reset may cut the answer short (the hub closes with our bytes unread), never anything else.
        expect(errors.filter((code) => code !== 'ECONNRESET'), `socket errors for ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}`).toEqual([]);
        if (errors.length === 0 && answer !== '') expect(status, `the answer to ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}: ${answer.slice(0, 80)}`).toMatch(/^(101|4\d\d)$/);
        await afterCase();
      }),
      { numRuns: 100 },
    );
    // Most garbage got a real HTTP refusal, not just a dropped connection.
    expect([...answers].filter(([status]) => /^4\d\d$/.test(status)).reduce((sum, [, count]) => sum + count, 0), JSON.stringify([...answers])).toBeGreaterThan(50);
    await deliveredSoFar();
  });

  it('refuses agent frames whose header nests millions of levels deep before parsing them', { timeout: 30_000 }, async () => {
    // JSON.parse alone would hold the event loop for seconds on these; the hub must refuse each one
    // by its size or depth limit, which it checks before any JSON is parsed.
    const cases = [
      { depth: 4_000_000, refusal: /^lines header of \d+ bytes is over \d+$/ }, // 8 MB, within maxAgentFrameBytes
      { depth: 500_000, refusal: /^lines header nests deeper than \d+ levels$/ }, // within the 1 MiB header limit
    ];
    for (const { depth, refusal } of cases) {
      const socket = new WebSocket(`${hub.wsUrl}/ws/agent`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` }, perMessageDeflate: false });
      const errors: string[] = [];
      const texts: string[] = [];
      socket.on('error', (error) => errors.push(error.message));
      socket.on('message', (data) => texts.push(String(data)));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify(agentHello));
      await waitFor('the welcome', () => texts.length > 0);
      const json = Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      const prefix = Buffer.from([1, 0, 0, 0, 0]);
      prefix.writeUInt32BE(json.length, 1);
      socket.send(Buffer.concat([prefix, json]));
      expect(await closed).toBe(CLOSE_CODES.protocolError);
      expect(texts.map((text) => JSON.parse(text) as Message).at(-1)).toMatchObject({ type: 'error', code: 'SG_ERR_PROTOCOL', message: expect.stringMatching(refusal) });
      expect(errors).toEqual([]);
      expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    }
  });

  it('stayed up and never stopped delivering the real agent\u2019s lines to the real viewer', async () => {
    const written = await writer.stop();
    // Lines of one file arrive in order: once the sentinel is in, any copy of an earlier line is too.
    await appendFile(log, 'beat sentinel\n');
    await waitFor('the sentinel', () => watcher.texts().includes('beat sentinel'), 30_000);
    expect(watcher.texts()).toEqual([...written, 'beat sentinel']);
    expect(watcher.client.connected).toBe(true);
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
