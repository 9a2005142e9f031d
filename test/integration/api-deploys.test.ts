import { afterEach, describe, expect, it } from 'vitest';
import { deployListSchema, hubToClientSchema, type ApiError, type Deploy } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, TestViewer, type TestHub } from '../helpers/hub-harness.js';

const NOW = 1_764_190_123_456;

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(options: Record<string, unknown> = {}): Promise<TestHub> {
  const started = await startTestHub(options, { now: () => NOW });
  hubs.push(started);
  return started;
}

describe('/api/deploys', () => {
  it('records a marker posted the way CI does, starting now by default', async () => {
    const h = await hub();
    // The body of the documented curl line.
    const posted = await api<Deploy>(h.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.3', by: 'ci' } });
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({ id: expect.stringMatching(/^[0-9a-z]{12}$/), label: 'web v1.2.3', by: 'ci', startedAt: NOW, createdAt: NOW });
  });

  it('takes ISO or ms times and a link, and lists deploys by start time, optionally since a time', async () => {
    const h = await hub();
    const late = (await api<Deploy>(h.url, 'POST', '/api/deploys', { json: { label: 'web 2', startedAt: NOW - 1_000 } })).body;
    const early = await api<Deploy>(h.url, 'POST', '/api/deploys', {
      json: { label: 'web 1', url: 'https://ci.example/runs/41', startedAt: '2025-11-25T21:00:00Z', finishedAt: '2025-11-25T22:05:00.500+01:00' },
    });
    expect(early.body).toMatchObject({
      label: 'web 1',
      url: 'https://ci.example/runs/41',
      startedAt: Date.UTC(2025, 10, 25, 21),
      finishedAt: Date.UTC(2025, 10, 25, 21, 5, 0, 500),
    });
    const all = await api<Deploy[]>(h.url, 'GET', '/api/deploys');
    expect(deployListSchema.parse(all.body)).toEqual([early.body, late]);
    expect((await api(h.url, 'GET', `/api/deploys?since=${NOW - 1_000}`)).body).toEqual([late]);
    expect((await api(h.url, 'GET', `/api/deploys?since=${NOW}`)).body).toEqual([]);
  });

  it.each([
    [{}, 'label: Invalid input: expected string, received undefined'],
    [{ label: '   ' }, 'label: Too small: expected string to have >=1 characters'],
    [{ label: 'x', url: 'javascript:alert(1)' }, 'url: Invalid URL'],
    [{ label: 'x', by: 7 }, 'by: Invalid input: expected string, received number'],
    [{ label: 'x', startedAt: 'last tuesday' }, 'startedAt: none of the accepted forms: (Invalid input: expected number, received string) or (Invalid ISO datetime)'],
    [{ label: 'x', startedAt: 2000, finishedAt: 1000 }, 'finishedAt: must not be before startedAt'],
  ])('refuses %j with 400 naming the field', async (json, message) => {
    const h = await hub();
    const refused = await api<ApiError>(h.url, 'POST', '/api/deploys', { json });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: { code: 'SG_ERR_BAD_REQUEST', message } });
    expect((await api(h.url, 'GET', '/api/deploys')).body).toEqual([]);
  });

  it('refuses a bad ?since= and a body that is not JSON or too large', async () => {
    const h = await hub({ maxApiBodyBytes: 1024 });
    const since = await api<ApiError>(h.url, 'GET', '/api/deploys?since=yesterday');
    expect([since.status, since.body.error.message]).toEqual([400, 'since: expected milliseconds since the Unix epoch']);
    expect((await api<ApiError>(h.url, 'POST', '/api/deploys', { raw: 'label=web' })).body.error.code).toBe('SG_ERR_BAD_REQUEST');
    const large = await api<ApiError>(h.url, 'POST', '/api/deploys', { json: { label: 'x'.repeat(2000) } });
    expect([large.status, large.body.error.code]).toEqual([413, 'SG_ERR_TOO_LARGE']);
  });

  it('tells every open viewer about a new deploy', async () => {
    const h = await hub();
    const viewers = await Promise.all([TestViewer.connect(h), TestViewer.connect(h)]);
    await Promise.all(viewers.map((viewer) => viewer.inbox.next('welcome', (m) => m.type === 'welcome')));
    const posted = await api<Deploy>(h.url, 'POST', '/api/deploys', { json: { label: 'web v1.2.4', by: 'ci' } });
    for (const viewer of viewers) {
      const event = await viewer.inbox.next('deploy', (m) => m.type === 'deploy');
      expect(hubToClientSchema.parse(event)).toEqual({ type: 'deploy', deploy: posted.body });
    }
  });
});
