import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, Capture, CaptureCreated, Deploy, Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, TestViewer, type TestHub } from '../helpers/hub-harness.js';

const TOKENS = { viewerTokens: ['vera:viewer-secret'], editorTokens: ['alice:alice-secret', 'ci:ci-secret'] };

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(): Promise<TestHub> {
  const started = await startTestHub(TOKENS);
  hubs.push(started);
  return started;
}

const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/pins'],
  ['POST', '/api/pins', { name: 'p', query: 'x' }],
  ['DELETE', '/api/pins/abc'],
  ['GET', '/api/pins/abc/rate'],
  ['GET', '/api/deploys'],
  ['POST', '/api/deploys', { label: 'web v1' }],
  ['POST', '/api/captures', { title: 't', lines: [{ host: 'h', file: 'f', ts: 1, line: 'x' }] }],
  ['GET', '/api/captures/abc'],
  ['GET', '/api/captures/abc.md'],
];

describe('API with viewer and editor tokens', () => {
  it.each(ROUTES)('%s %s answers 401 without a token and with a wrong one', async (method, path, json) => {
    const h = await hub();
    for (const token of [undefined, 'wrong-secret']) {
      const refused = await api<ApiError>(h.url, method, path, { json, ...(token ? { token } : {}) });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(refused.body.error.code).toBe('SG_ERR_UNAUTHORIZED');
    }
    expect((await api(h.url, 'GET', '/api/pins')).body).toMatchObject({ error: { code: 'SG_ERR_UNAUTHORIZED' } });
  });

  it('records the token holder\u2019s name as createdBy on pins, deploys and captures', async () => {
    const h = await hub();
    const pin = await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'p', query: 'x' }, token: 'alice-secret' });
    expect([pin.status, pin.body.createdBy]).toEqual([201, 'alice']);
    expect((await api<Pin[]>(h.url, 'GET', '/api/pins', { token: 'ci-secret' })).body[0]?.createdBy).toBe('alice');

    const deploy = await api<Deploy>(h.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.3', by: 'release bot' }, token: 'ci-secret' });
    expect(deploy.status).toBe(201);
    expect(deploy.body).toMatchObject({ label: 'web v1.2.3', by: 'release bot', createdBy: 'ci' });

    const created = await api<CaptureCreated>(h.url, 'POST', '/api/captures', {
      json: { title: 'outage', lines: [{ host: 'h', file: 'f', ts: 1, line: 'x' }] },
      token: 'alice-secret',
    });
    expect(created.status).toBe(201);
    const capture = await api<Capture>(h.url, 'GET', `/api/captures/${created.body.id}`, { token: 'ci-secret' });
    expect(capture.body.createdBy).toBe('alice');
    const markdown = await api(h.url, 'GET', `/api/captures/${created.body.id}.md`, { token: 'ci-secret' });
    expect(markdown.text).toContain('- Captured by: alice\n');

    expect((await api(h.url, 'DELETE', `/api/pins/${pin.body.id}`, { token: 'ci-secret' })).status).toBe(204);
  });

  it.each(ROUTES.filter(([method]) => method !== 'GET'))('%s %s answers 403 SG_ERR_FORBIDDEN to a viewer token, changing nothing', async (method, path, json) => {
    const h = await hub();
    const refused = await api<ApiError>(h.url, method, path, { json, token: 'viewer-secret' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SG_ERR_FORBIDDEN');
    expect(refused.body.error.message).toMatch(/vera may read but not change anything/);
    expect((await api<Pin[]>(h.url, 'GET', '/api/pins', { token: 'viewer-secret' })).body).toEqual([]);
    expect((await api<Deploy[]>(h.url, 'GET', '/api/deploys', { token: 'viewer-secret' })).body).toEqual([]);
  });

  it('lets a viewer token read pins, deploys and captures that editors made', async () => {
    const h = await hub();
    const pin = await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'p', query: 'x' }, token: 'alice-secret' });
    const created = await api<CaptureCreated>(h.url, 'POST', '/api/captures', {
      json: { title: 'outage', lines: [{ host: 'h', file: 'f', ts: 1, line: 'x' }] },
      token: 'ci-secret',
    });
    expect((await api<Pin[]>(h.url, 'GET', '/api/pins', { token: 'viewer-secret' })).body.map((p) => p.id)).toEqual([pin.body.id]);
    expect((await api(h.url, 'GET', `/api/pins/${pin.body.id}/rate`, { token: 'viewer-secret' })).status).toBe(200);
    expect((await api<Capture>(h.url, 'GET', `/api/captures/${created.body.id}`, { token: 'viewer-secret' })).body.title).toBe('outage');
    expect((await api(h.url, 'GET', `/api/captures/${created.body.id}.md`, { token: 'viewer-secret' })).status).toBe(200);
  });

  it('sends pin and deploy events only to viewers that presented a token', async () => {
    const h = await hub();
    const viewer = await TestViewer.connect(h, { token: 'alice-secret' });
    expect(await viewer.inbox.next('welcome', (m) => m.type === 'welcome')).toMatchObject({ viewer: 'alice', role: 'editor' });
    const deploy = await api<Deploy>(h.url, 'POST', '/api/deploys', { json: { label: 'web v2' }, token: 'ci-secret' });
    expect(await viewer.inbox.next('deploy', (m) => m.type === 'deploy')).toEqual({ type: 'deploy', deploy: deploy.body });
  });
});
