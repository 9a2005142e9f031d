import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { useScratch } from '../helpers/scratch.js';

interface Answer {
  status: number;
  body: string;
}

/** An HTTP request with exactly these headers (fetch would not let a test choose Host). */
async function send(hub: TestHub, method: string, path: string, headers: Record<string, string>, json?: unknown): Promise<Answer> {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const req = request({ host: '127.0.0.1', port: hub.port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, body: text };
}

/** The HTTP status of a WebSocket upgrade sent with these headers (101 when it opened), and the refusal's body. */
async function upgrade(hub: TestHub, path: string, headers: Record<string, string>): Promise<Answer> {
  const socket = new WebSocket(`ws://127.0.0.1:${hub.port}${path}`, { headers });
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
  });
}

const pinNames = async (hub: TestHub) => (JSON.parse((await send(hub, 'GET', '/api/pins', {})).body) as Array<{ name: string }>).map((pin) => pin.name);

/** DNS rebinding (Host) and browsers on the agent socket (Origin), against a real hub process. */
describe('Host and Origin checks', () => {
  const scratch = useScratch();
  const { processes } = scratch;

  async function hub(args: string[] = []): Promise<TestHub> {
    const started = await startHub({ dataDir: join(scratch.dir, 'hub'), args });
    processes.push(started.process);
    return started;
  }

  it('an open loopback hub refuses a rebound page (spoofed Host, matching Origin) and accepts its own names', async () => {
    const h = await hub();
    const evil = `evil.example:${h.port}`;
    const rebound = await send(h, 'POST', '/api/pins', { host: evil, origin: `http://${evil}` }, { name: 'planted', query: 'x' });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toEqual({ error: { code: 'SG_ERR_FORBIDDEN', message: expect.stringContaining('--allowed-host') } });
    expect((await send(h, 'GET', '/api/pins', { host: evil })).status).toBe(421);
    expect((await send(h, 'GET', '/', { host: evil })).status).toBe(421);
    expect(await pinNames(h)).toEqual([]);

    for (const name of [`127.0.0.1:${h.port}`, `localhost:${h.port}`]) {
      const own = await send(h, 'POST', '/api/pins', { host: name, origin: `http://${name}` }, { name: `from ${name}`, query: 'x' });
      expect(own.status).toBe(201);
    }
    expect(await pinNames(h)).toEqual([`from 127.0.0.1:${h.port}`, `from localhost:${h.port}`]);
    // Probes call /healthz by whatever address they know.
    expect((await send(h, 'GET', '/healthz', { host: evil })).status).toBe(200);
  });

  it('refuses a viewer socket for a foreign Host with 421 and the API error shape', async () => {
    const h = await hub();
    const refused = await upgrade(h, '/ws/client', { host: `evil.example:${h.port}`, origin: `http://evil.example:${h.port}` });
    expect(refused.status).toBe(421);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'SG_ERR_FORBIDDEN' } });
    expect((await upgrade(h, '/ws/client', { origin: `http://127.0.0.1:${h.port}` })).status).toBe(101);
  });

  it('answers to the names given with --allowed-host', async () => {
    const h = await hub(['--allowed-host', 'logs.example.test']);
    expect((await send(h, 'GET', '/api/pins', { host: 'logs.example.test' })).status).toBe(200);
    expect((await send(h, 'GET', '/api/pins', { host: 'other.example.test' })).status).toBe(421);
    expect((await upgrade(h, '/ws/client', { host: 'logs.example.test', origin: 'https://logs.example.test' })).status).toBe(101);
  });

  it('refuses any /ws/agent upgrade that carries an Origin, and still takes a real agent', async () => {
    const h = await hub();
    for (const origin of [`http://127.0.0.1:${h.port}`, 'https://evil.example']) {
      const refused = await upgrade(h, '/ws/agent', { origin });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'SG_ERR_FORBIDDEN' } });
    }
    const log = join(scratch.dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [h.wsUrl], paths: [log], stateFile: join(scratch.dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, log);
    const viewer = await new Collector(h.url, { query: 'arrived' }).ready();
    await appendLines(log, ['the line arrived']);
    await viewer.waitForCount(1);
    expect(viewer.texts()).toEqual(['the line arrived']);
    viewer.close();
  });
});
