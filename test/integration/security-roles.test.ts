import { writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ApiError, type Pin } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { api } from '../helpers/http-api.js';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const AGENT_TOKEN = 'agent-secret-roles-0001';
const VIEWER_TOKEN = 'viewer-secret-roles-0002';
const EDITOR_TOKEN = 'editor-secret-roles-0003';

/** What a viewer socket opened with `headers` gets: the welcome, or the HTTP status of the refused upgrade. */
function openViewer(wsUrl: string, headers: Record<string, string>): Promise<{ status: number; welcome?: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${wsUrl}/ws/client`, { headers });
    socket.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    socket.on('error', () => undefined);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'welcome') {
        resolve({ status: 101, welcome: message });
        socket.close();
      }
    });
  });
}

describe('roles through the real CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const processes: CliProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  async function tokenHub(): Promise<TestHub> {
    const hub = await startHub({
      dataDir: join(dir, 'hub'),
      env: { SUPERGREP_AGENT_TOKEN: `agents:${AGENT_TOKEN}`, SUPERGREP_VIEWER_TOKEN: `vera:${VIEWER_TOKEN}`, SUPERGREP_EDITOR_TOKEN: `ed:${EDITOR_TOKEN}` },
    });
    processes.push(hub.process);
    return hub;
  }

  async function configHub(name: string, config: Record<string, unknown>): Promise<TestHub> {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(config));
    const hub = await startHub({ dataDir: join(dir, name), args: ['--config', file] });
    processes.push(hub.process);
    return hub;
  }

  it('viewers read but get 403 on pins and deploys; editors create them', async () => {
    const hub = await tokenHub();
    const refused = await api<ApiError>(hub.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR' }, token: VIEWER_TOKEN });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'SG_ERR_FORBIDDEN']);
    const created = await api<Pin>(hub.url, 'POST', '/api/pins', { json: { name: 'errors', query: 'ERROR' }, token: EDITOR_TOKEN });
    expect([created.status, created.body.createdBy]).toEqual([201, 'ed']);
    expect((await api<Pin[]>(hub.url, 'GET', '/api/pins', { token: VIEWER_TOKEN })).body).toHaveLength(1);
    expect((await api(hub.url, 'DELETE', `/api/pins/${created.body.id}`, { token: VIEWER_TOKEN })).status).toBe(403);

    const viewerDeploy = new CliProcess(['deploy', '--hub', hub.url, '--token', VIEWER_TOKEN, 'web v1']);
    processes.push(viewerDeploy);
    expect((await viewerDeploy.exited).code).toBe(1);
    expect(viewerDeploy.stderrLines.join('\n')).toMatch(/the hub answered 403: .*SG_ERR_FORBIDDEN/);
    const editorDeploy = new CliProcess(['deploy', '--hub', hub.url, '--token', EDITOR_TOKEN, 'web v1']);
    processes.push(editorDeploy);
    expect((await editorDeploy.exited).code).toBe(0);
  });

  it('an agent token cannot read (socket, tail, API, metrics); a viewer token cannot send lines', async () => {
    const hub = await tokenHub();
    const asAgent = new Collector(hub.url, { query: '' }, { token: AGENT_TOKEN });
    await expect(asAgent.ready()).rejects.toThrow(/403/);
    asAgent.close();
    const tail = new CliProcess(['tail', '--hub', hub.url, '--token', AGENT_TOKEN, '']);
    processes.push(tail);
    expect((await tail.exited).code).toBe(1);
    expect(tail.stderrLines.join('\n')).toMatch(/refused this client \(HTTP 403\)/);
    for (const path of ['/api/pins', '/metrics']) {
      const answer = await api<ApiError>(hub.url, 'GET', path, { token: AGENT_TOKEN });
      expect([answer.status, answer.body.error.code]).toEqual([403, 'SG_ERR_FORBIDDEN']);
    }

    const log = join(dir, 'app.log');
    await writeFile(log, '');
    const viewerAsAgent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'a.json'), token: VIEWER_TOKEN, name: 'impostor' });
    processes.push(viewerAsAgent);
    await viewerAsAgent.waitForLog('the refusal', (r) => r.msg === 'hub refused the token (HTTP 403): it is a viewer or editor token, not an agent token');
    await hub.process.waitForLog('the hub to log it', (r) => r.msg === 'agent refused' && /viewer or editor token/.test(String(r.reason)));
    expect(viewerAsAgent.logs().some((r) => r.msg === 'connected to hub')).toBe(false);

    // The real agent, for contrast, gets its lines through to a viewer.
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'b.json'), token: AGENT_TOKEN });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const viewer = await new Collector(hub.url, { query: 'hello' }, { token: VIEWER_TOKEN }).ready();
    await appendLines(log, ['hello roles']);
    await viewer.waitForCount(1);
    viewer.close();
    await Promise.all(processes.map((p) => p.stop()));
    for (const secret of [AGENT_TOKEN, VIEWER_TOKEN, EDITOR_TOKEN]) expect(processes.map((p) => p.output()).join('\n')).not.toContain(secret);
  });

  it('believes identity headers from a trusted proxy, maps them to roles, and wants the CSRF header on writes', async () => {
    const hub = await configHub('proxied', {
      agentTokens: [AGENT_TOKEN],
      trustedProxies: ['127.0.0.1', '::1'],
      proxyAuth: { userHeader: 'X-Forwarded-User', emailHeader: 'X-Forwarded-Email', defaultRole: 'viewer', editors: ['erin@example.com'] },
    });
    const as = (user: string, email: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-user': user, 'x-forwarded-email': email, ...extra });
    const post = (headers: Record<string, string>) =>
      fetch(`${hub.url}/api/pins`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'p', query: 'x' }) });

    expect((await fetch(`${hub.url}/api/pins`, { headers: as('dave', 'dave@example.com') })).status).toBe(200);
    expect((await fetch(`${hub.url}/api/pins`)).status).toBe(401);
    expect((await post(as('dave', 'dave@example.com', { 'x-supergrep-csrf': '1' }))).status).toBe(403);
    const noCsrf = await post(as('erin', 'erin@example.com'));
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as ApiError).error.message).toMatch(/X-Supergrep-CSRF: 1/);
    const foreign = await post(as('erin', 'erin@example.com', { 'x-supergrep-csrf': '1', origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);
    const created = await post(as('erin', 'erin@example.com', { 'x-supergrep-csrf': '1' }));
    expect(created.status).toBe(201);
    expect(((await created.json()) as Pin).createdBy).toBe('erin');

    expect(await openViewer(hub.wsUrl, as('dave', 'dave@example.com'))).toMatchObject({ status: 101, welcome: { viewer: 'dave', role: 'viewer' } });
    expect(await openViewer(hub.wsUrl, as('erin', 'erin@example.com'))).toMatchObject({ status: 101, welcome: { viewer: 'erin', role: 'editor' } });
  });

  it('refuses and logs identity headers from an address that is not a trusted proxy (loopback included)', async () => {
    const hub = await configHub('untrusted', {
      agentTokens: [AGENT_TOKEN],
      editorTokens: [EDITOR_TOKEN],
      trustedProxies: ['10.0.0.0/8'],
      proxyAuth: { defaultRole: 'editor' },
    });
    const forged = await fetch(`${hub.url}/api/pins`, { headers: { 'x-forwarded-user': 'mallory' } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as ApiError).error).toEqual({
      code: 'SG_ERR_FORBIDDEN',
      message: 'identity headers are accepted only from the reverse proxies listed in trustedProxies',
    });
    expect((await openViewer(hub.wsUrl, { 'x-forwarded-user': 'mallory' })).status).toBe(403);
    const logged = await hub.process.waitForLog('the refusal to be logged', (r) => r.msg === 'identity header from an address not in trustedProxies; request refused');
    expect(logged).toMatchObject({ level: 40, header: 'x-forwarded-user' });
    expect(String(logged.remote)).toMatch(/127\.0\.0\.1/);
    // Rate-limited: the second refusal is not logged again within the minute.
    expect(hub.process.logs().filter((r) => r.msg === logged.msg)).toHaveLength(1);
    // A token still works from the same address.
    expect((await api(hub.url, 'GET', '/api/pins', { token: EDITOR_TOKEN })).status).toBe(200);
  });
});
