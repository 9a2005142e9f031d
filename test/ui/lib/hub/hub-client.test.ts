import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamEntry } from '../../../../ui/src/lib/hub/stream-entry.js';
import { HubClient, HubRequestError, type HubClientOptions } from '../../../../ui/src/lib/hub/hub-client.js';
import { FakeHub, ManualFrames, line } from '../../helpers/fake-hub.js';

let hub: FakeHub;
let frames: ManualFrames;
let batches: Map<string, StreamEntry[]>[];

function makeClient(options: Partial<HubClientOptions> = {}) {
  const client = new HubClient({
    url: 'ws://hub.test/ws/client',
    socketFactory: hub.factory,
    scheduler: frames,
    ...options,
    backoff: { random: () => 0.5, ...options.backoff },
  });
  client.onEntries((batch) => batches.push(new Map(batch)));
  return client;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2024, 4, 1, 12, 0, 0) });
  hub = new FakeHub();
  frames = new ManualFrames();
  batches = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe('HubClient handshake and subscriptions', () => {
  it('says hello with the protocol version and token, then subscribes once welcomed', () => {
    const client = makeClient({ getToken: () => 's3cret' });
    client.subscribe('p1', { query: 'status=5\\d\\d' }, { backlog: 1000 });
    client.start();
    expect(hub.current.url).toBe('ws://hub.test/ws/client');
    expect(client.connection.getSnapshot()).toEqual({ status: 'connecting', attempt: 1 });

    hub.current.open();
    expect(hub.current.sent).toEqual([{ type: 'hello', protocolVersion: 1, client: 'supergrep-ui', token: 's3cret' }]);
    expect(hub.current.sentOfType('subscribe')).toEqual([]);

    hub.current.welcome({ viewer: 'alice' });
    expect(client.connection.getSnapshot()).toMatchObject({ status: 'live', viewer: 'alice', hubId: 'hub-test' });
    expect(hub.current.sentOfType('subscribe')).toEqual([{ type: 'subscribe', sub: 'p1', filter: { query: 'status=5\\d\\d' }, backlog: 1000 }]);
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'pending' });
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'status=5\\d\\d' } });
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'active' });
  });

  it('omits the token when there is none and clamps the backlog to the hub limit', () => {
    const client = makeClient();
    client.start();
    hub.current.accept({ limits: { maxBacklogLines: 200, maxContextLines: 50, maxPatternLength: 1024 } });
    expect(hub.current.sent[0]).toEqual({ type: 'hello', protocolVersion: 1, client: 'supergrep-ui' });
    client.subscribe('p1', { query: '' }, { backlog: 10_000 });
    expect(hub.current.sentOfType('subscribe')[0]?.backlog).toBe(200);
  });

  it('commits matches at most once per animation frame, as typed entries per sub', () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'a' });
    client.subscribe('p2', { query: 'b' });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a' } });
    hub.current.receive({ type: 'subscribed', sub: 'p2', filter: { query: 'b' } });
    const [a1, a2, b1] = [line('a1', { ranges: [[0, 1]] }), line('a2'), line('b1')];
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [a1], backlog: true });
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [a2] });
    hub.current.receive({ type: 'matches', sub: 'p2', lines: [b1] });
    hub.current.receive({ type: 'dropped', sub: 'p2', count: 12 });
    expect(batches).toHaveLength(0);
    expect(frames.waiting).toBe(1);

    frames.run();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.get('p1')).toEqual([
      { kind: 'line', line: a1, backlog: true },
      { kind: 'line', line: a2, backlog: false },
    ]);
    expect(batches[0]!.get('p2')).toEqual([
      { kind: 'line', line: b1, backlog: false },
      { kind: 'dropped', count: 12, at: Date.now() },
    ]);
    frames.run();
    expect(batches).toHaveLength(1);
  });

  it('paces commits further apart while they are large', () => {
    const client = makeClient();
    client.subscribe('p1', { query: '' });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '' } });
    hub.current.receive({ type: 'matches', sub: 'p1', lines: Array.from({ length: 600 }, (_, i) => line(`x${i}`)) });
    frames.run();
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('y')] });
    frames.run();
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('z')] });
    expect(frames.intervals).toEqual([50, 100, 50]);
  });

  it('never shows lines of the previous filter after the filter of a sub changed', () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'old' });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'old' } });
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('old, queued before the change')] });

    client.subscribe('p1', { query: 'new' });
    expect(hub.current.sentOfType('subscribe').map((m) => m.filter.query)).toEqual(['old', 'new']);
    // In flight: the hub still streams the old filter until it has read our request.
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('old, in flight')] });
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'new' } });
    const fresh = line('new');
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [fresh] });
    frames.run();
    expect(batches).toEqual([new Map([['p1', [{ kind: 'line', line: fresh, backlog: false }]]])]);
  });

  it('answers only the latest of several in-flight requests for the same sub', () => {
    const client = makeClient();
    client.start();
    hub.current.accept();
    client.subscribe('p1', { query: 'a(' });
    client.subscribe('p1', { query: 'a(b)' });
    hub.current.receive({ type: 'error', code: 'SG_ERR_BAD_REGEX', message: 'missing )', sub: 'p1' });
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'pending' });
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a(b)' } });
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'active' });
  });

  it("shows the hub's bad-regex message on the sub and ignores its lines until a good filter", () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'a(' });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'error', code: 'SG_ERR_BAD_REGEX', message: 'missing closing ): a(', sub: 'p1' });
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'error', code: 'SG_ERR_BAD_REGEX', message: 'missing closing ): a(' });
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('stale')] });
    expect(frames.waiting).toBe(0);
    expect(client.notice.getSnapshot()).toBeUndefined();
  });

  it('refuses an over-long pattern locally, without sending it, and stops the old filter', () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'ok' });
    client.start();
    hub.current.accept();
    client.subscribe('p1', { query: 'x'.repeat(1025) });
    expect(client.subscriptions.getSnapshot().get('p1')).toMatchObject({ state: 'error', message: expect.stringContaining('at most 1024') });
    expect(hub.current.sentOfType('subscribe')).toHaveLength(1);
    expect(hub.current.sentOfType('unsubscribe')).toEqual([{ type: 'unsubscribe', sub: 'p1' }]);
  });

  it.each([
    [{ hosts: ['*'.repeat(257)] }, 'a host or file glob is 257 characters long; the hub accepts at most 256'],
    [{ files: Array.from({ length: 33 }, (_, i) => `/var/log/${i}.log`) }, 'a host or file list has 33 globs; the hub accepts at most 32'],
  ])('refuses globs over the limits locally, with the limit in the message (%#)', (globs, message) => {
    const client = makeClient();
    client.start();
    hub.current.accept();
    client.subscribe('p1', { query: '', ...globs });
    expect(client.subscriptions.getSnapshot().get('p1')).toMatchObject({ state: 'error', message: expect.stringContaining(message) });
    expect(hub.current.sentOfType('subscribe')).toHaveLength(0);
  });

  it('unsubscribes and then ignores the sub', () => {
    const client = makeClient();
    client.subscribe('p1', { query: '' });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '' } });
    client.unsubscribe('p1');
    expect(hub.current.sentOfType('unsubscribe')).toEqual([{ type: 'unsubscribe', sub: 'p1' }]);
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('late')] });
    expect(frames.waiting).toBe(0);
    expect(client.subscriptions.getSnapshot().has('p1')).toBe(false);
  });

  it('turns malformed frames into a notice instead of throwing', () => {
    const client = makeClient();
    client.start();
    hub.current.accept();
    hub.current.receive('not json');
    expect(client.notice.getSnapshot()).toMatchObject({ code: 'SG_UI_BAD_FRAME', message: expect.stringContaining('not valid JSON') });
    hub.current.receive(JSON.stringify({ type: 'matches', sub: 'p1', lines: [{ id: 1 }] }));
    expect(client.notice.getSnapshot()?.message).toContain('malformed');
  });

  it('keeps the latest sources and forwards deploy events to their listeners', () => {
    const client = makeClient();
    const events: unknown[] = [];
    client.onHubEvent((event) => events.push(event));
    client.start();
    hub.current.accept();
    const agents = [{ host: 'web-1', connected: true, files: [{ path: '/var/log/app.log', linesPerSec: 42 }] }];
    hub.current.receive({ type: 'sources', agents });
    expect(client.sources.getSnapshot()).toEqual(agents);
    expect(client.sourcesTotal.getSnapshot()).toBeUndefined();
    hub.current.receive({ type: 'sources', agents, total: { agents: 3000, files: 3001 } });
    expect(client.sourcesTotal.getSnapshot()).toEqual({ agents: 3000, files: 3001 });
    const deploy = { type: 'deploy' as const, deploy: { id: 'd1', label: 'v42', startedAt: 1, createdAt: 1 } };
    hub.current.receive(deploy);
    expect(events).toEqual([deploy]);
    const verdicts = { type: 'verdicts' as const, deployId: 'd1', verdicts: [] };
    hub.current.receive(verdicts);
    expect(events).toEqual([deploy, verdicts]);
  });

  it('puts a deploy divider into every stream where the deploy arrived, except one whose filter the hub refused', () => {
    const client = makeClient();
    client.start();
    client.subscribe('a', { query: 'x' });
    client.subscribe('b', { query: 'y' });
    client.subscribe('bad', { query: '(' });
    hub.current.accept({ role: 'editor' });
    expect(client.connection.getSnapshot()).toMatchObject({ status: 'live', role: 'editor' });
    for (const sub of ['a', 'b']) hub.current.receive({ type: 'subscribed', sub, filter: { query: sub } });
    hub.current.receive({ type: 'error', code: 'SG_ERR_BAD_REGEX', sub: 'bad', message: 'missing )' });
    const deploy = { id: 'd1', label: 'web v1.2.3', by: 'ci', startedAt: 5, createdAt: 5 };
    hub.current.receive({ type: 'matches', sub: 'a', lines: [line('x before', { id: 'x1' })] });
    hub.current.receive({ type: 'deploy', deploy });
    hub.current.receive({ type: 'matches', sub: 'a', lines: [line('x after', { id: 'x2' })] });
    frames.run();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.get('a')!.map((entry) => (entry.kind === 'line' ? entry.line.id : entry.kind))).toEqual(['x1', 'deploy', 'x2']);
    expect(batches[0]!.get('b')).toEqual([{ kind: 'deploy', deploy }]);
    expect(batches[0]!.has('bad')).toBe(false);
  });

  it('puts a deploy replayed with one backlog into that stream only, among its lines, without telling the deploy log', () => {
    const client = makeClient();
    const events: unknown[] = [];
    client.onHubEvent((event) => events.push(event));
    client.start();
    client.subscribe('a', { query: 'x' }, { backlog: 100 });
    client.subscribe('b', { query: 'y' }, { backlog: 100 });
    hub.current.accept();
    for (const sub of ['a', 'b']) hub.current.receive({ type: 'subscribed', sub, filter: { query: sub } });
    const deploy = { id: 'd1', label: 'web v1.2.3', startedAt: 5, createdAt: 5 };
    hub.current.receive({ type: 'matches', sub: 'a', backlog: true, lines: [line('x before', { id: 'x1' })] });
    hub.current.receive({ type: 'deploy', deploy, sub: 'a', replay: true });
    hub.current.receive({ type: 'matches', sub: 'a', backlog: true, lines: [line('x after', { id: 'x2' })] });
    frames.run();
    expect(batches[0]!.get('a')!.map((entry) => (entry.kind === 'line' ? entry.line.id : entry.kind))).toEqual(['x1', 'deploy', 'x2']);
    expect(batches[0]!.has('b')).toBe(false);
    expect(events).toEqual([]);
  });
});

describe('HubClient reconnects', () => {
  it('backs off, reconnects, re-subscribes every sub with its backlog and marks the gap in each stream', () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'a' }, { backlog: 500 });
    client.subscribe('p2', { query: 'b' }, { backlog: 500 });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a' } });
    hub.current.receive({ type: 'subscribed', sub: 'p2', filter: { query: 'b' } });
    const lostAt = Date.now();

    hub.current.serverClose(1006);
    // random() = 0.5 of a 500 ms ceiling on the first failure.
    expect(client.connection.getSnapshot()).toEqual({ status: 'reconnecting', attempt: 1, retryAt: lostAt + 250, reason: 'closed (1006)' });
    expect(client.subscriptions.getSnapshot().get('p1')).toEqual({ state: 'pending' });
    vi.advanceTimersByTime(249);
    expect(hub.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(hub.sockets).toHaveLength(2);

    vi.advanceTimersByTime(700);
    hub.current.accept();
    const resubscribes = hub.current.sentOfType('subscribe');
    // The replay brings the lines that arrived meanwhile; the panes skip those they already show.
    expect(resubscribes).toEqual([
      { type: 'subscribe', sub: 'p1', filter: { query: 'a' }, backlog: 500 },
      { type: 'subscribe', sub: 'p2', filter: { query: 'b' }, backlog: 500 },
    ]);
    frames.run();
    const gap = { kind: 'gap', from: lostAt, to: lostAt + 950 };
    expect(batches).toEqual([
      new Map([
        ['p1', [gap]],
        ['p2', [gap]],
      ]),
    ]);
  });

  it('asks for a backlog only on a new filter or a new connection', () => {
    const client = makeClient();
    client.subscribe('p1', { query: 'a' }, { backlog: 300 });
    client.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a' } });
    client.subscribe('p2', { query: 'b' });
    expect(hub.current.sentOfType('subscribe').map((m) => m.backlog)).toEqual([300, undefined]);
  });

  it('grows the delay exponentially up to the cap while the hub stays down', () => {
    const client = makeClient({ backoff: { random: () => 0.999, baseMs: 500, capMs: 4000 } });
    client.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      hub.current.serverClose(1006);
      const state = client.connection.getSnapshot();
      if (state.status !== 'reconnecting') throw new Error(`expected reconnecting, got ${state.status}`);
      delays.push(state.retryAt - Date.now());
      vi.advanceTimersByTime(state.retryAt - Date.now());
    }
    expect(delays).toEqual([499, 999, 1998, 3996, 3996, 3996]);
    expect(hub.sockets).toHaveLength(7);
  });

  it('gives up on a silent connection and reconnects', () => {
    const client = makeClient({ idleTimeoutMs: 15_000 });
    client.start();
    hub.current.accept();
    vi.advanceTimersByTime(10_000);
    hub.current.receive({ type: 'sources', agents: [] });
    vi.advanceTimersByTime(14_999);
    expect(client.connection.getSnapshot().status).toBe('live');
    vi.advanceTimersByTime(1);
    expect(hub.sockets[0]!.closedWith).toEqual({ code: 4000, reason: 'idle' });
    expect(client.connection.getSnapshot()).toMatchObject({ status: 'reconnecting', reason: 'no message from the hub for 15 s' });
  });

  it('stops and asks for a token on SG_ERR_UNAUTHORIZED / 4401, then retries with the new token', () => {
    let token: string | undefined;
    const client = makeClient({ getToken: () => token });
    client.start();
    hub.current.open();
    hub.current.receive({ type: 'error', code: 'SG_ERR_UNAUTHORIZED', message: 'a token is required' });
    hub.current.serverClose(4401, 'unauthorized');
    expect(client.connection.getSnapshot()).toEqual({ status: 'unauthorized', tokenRejected: false });
    vi.advanceTimersByTime(60_000);
    expect(hub.sockets).toHaveLength(1);

    token = 'wrong';
    client.reconnectNow();
    hub.current.open();
    expect(hub.current.sent[0]).toMatchObject({ type: 'hello', token: 'wrong' });
    hub.current.serverClose(4401);
    expect(client.connection.getSnapshot()).toEqual({ status: 'unauthorized', tokenRejected: true });

    token = 'right';
    client.reconnectNow();
    hub.current.accept();
    expect(client.connection.getSnapshot().status).toBe('live');
  });

  it('does not retry a protocol version mismatch', () => {
    const client = makeClient();
    client.start();
    hub.current.open();
    hub.current.serverClose(4426, 'version');
    expect(client.connection.getSnapshot()).toMatchObject({ status: 'failed', message: expect.stringContaining('protocol version') });
    vi.advanceTimersByTime(60_000);
    expect(hub.sockets).toHaveLength(1);
  });

  it('ignores events from a socket it already replaced', () => {
    const client = makeClient();
    client.start();
    const first = hub.current;
    first.accept();
    client.reconnectNow();
    first.serverClose(1006);
    expect(client.connection.getSnapshot()).toEqual({ status: 'connecting', attempt: 1 });
  });
});

describe('HubClient context requests', () => {
  it('resolves with the matching answer', async () => {
    const client = makeClient();
    client.start();
    hub.current.accept();
    const pending = client.requestContext('l1', 10, 900);
    const request = hub.current.sentOfType('context')[0]!;
    expect(request).toEqual({ type: 'context', req: request.req, id: 'l1', before: 10, after: 500 });
    hub.current.receive({ type: 'context', req: request.req, id: 'l1', found: true, lines: [line('x', { id: 'l1' })] });
    await expect(pending).resolves.toMatchObject({ found: true, lines: [{ id: 'l1' }] });
  });

  it('rejects on an error tied to the request, on disconnect, and on timeout', async () => {
    const client = makeClient({ contextTimeoutMs: 5000 });
    client.start();
    hub.current.accept();
    const refused = client.requestContext('bad', 1, 1);
    hub.current.receive({ type: 'error', code: 'SG_ERR_NOT_FOUND', message: 'no such line', req: hub.current.sentOfType('context')[0]!.req });
    await expect(refused).rejects.toEqual(new HubRequestError('SG_ERR_NOT_FOUND', 'no such line'));

    const timedOut = client.requestContext('slow', 1, 1);
    vi.advanceTimersByTime(5000);
    await expect(timedOut).rejects.toMatchObject({ code: 'SG_UI_TIMEOUT' });

    const lost = client.requestContext('l1', 1, 1);
    hub.current.serverClose(1006);
    await expect(lost).rejects.toMatchObject({ code: 'SG_UI_DISCONNECTED' });
    await expect(client.requestContext('l1', 1, 1)).rejects.toMatchObject({ code: 'SG_UI_DISCONNECTED' });
  });
});
