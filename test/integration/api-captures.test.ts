import { afterEach, describe, expect, it } from 'vitest';
import { captureSchema, type ApiError, type Capture, type CaptureCreated, type CreateCapture } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, type TestHub } from '../helpers/hub-harness.js';

const NOW = Date.UTC(2026, 10, 26, 22, 0, 0);
const T = Date.UTC(2026, 10, 26, 21, 33, 20, 123);

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(options: Record<string, unknown> = {}): Promise<TestHub> {
  const started = await startTestHub(options, { now: () => NOW });
  hubs.push(started);
  return started;
}

const OUTAGE: CreateCapture = {
  title: 'Checkout outage',
  filter: { query: 'status=5\\d\\d', caseInsensitive: true, hosts: ['web-*'] },
  lines: [
    // The first states its own time (eventTs); the second does not, and shows its received time with `~`.
    { host: 'web-1', file: '/var/log/nginx/access.log', ts: T + 50, eventTs: T, line: 'GET /checkout status=503' },
    { host: 'web-2', file: '/var/log/nginx/access.log', ts: T + 2_000, line: 'evil ```\n# injected' },
  ],
};

describe('/api/captures', () => {
  it('saves lines and answers the id and the relative page url; reads them back as JSON', async () => {
    const h = await hub();
    const created = await api<CaptureCreated>(h.url, 'POST', '/api/captures', { json: OUTAGE });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-z]{16}$/), url: `/captures/${created.body.id}` });
    expect(created.headers.get('location')).toBe(`/api/captures/${created.body.id}`);

    const read = await api<Capture>(h.url, 'GET', `/api/captures/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(captureSchema.parse(read.body)).toEqual({ ...OUTAGE, id: created.body.id, createdAt: NOW });
  });

  it('renders Markdown with the lines fenced safely', async () => {
    const h = await hub();
    const { id } = (await api<CaptureCreated>(h.url, 'POST', '/api/captures', { json: OUTAGE })).body;
    const markdown = await api(h.url, 'GET', `/api/captures/${id}.md`);
    expect(markdown.status).toBe(200);
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(markdown.text).toBe(
      [
        '# Checkout outage',
        '',
        `- Capture: <${h.url}/captures/${id}>`,
        '- Filter: query `status=5\\d\\d`, case-insensitive, hosts `web-*`, all files',
        '- Lines: 2, from 2026-11-26T21:33:20.123Z to 2026-11-26T21:33:22.123Z',
        '- Times marked `~` (1 of 2 lines): when the line was received; it states no time of its own',
        '- Captured by: not recorded (the hub has no tokens)',
        '- Captured at: 2026-11-26T22:00:00.000Z',
        `- Capture id: \`${id}\``,
        '',
        '````text',
        '2026-11-26T21:33:20.123Z web-1 /var/log/nginx/access.log | GET /checkout status=503',
        // A line with '\n' is an event: each of its lines on a line of its own, inside the fence.
        '~2026-11-26T21:33:22.123Z web-2 /var/log/nginx/access.log | evil ```',
        `${' '.repeat('~2026-11-26T21:33:22.123Z web-2 /var/log/nginx/access.log '.length)}| # injected`,
        '````',
        '',
        'Line permalinks:',
        '',
        `1. 2026-11-26T21:33:20.123Z web-1: <${h.url}/captures/${id}#L1>`,
        `2. \\~2026-11-26T21:33:22.123Z web-2: <${h.url}/captures/${id}#L2>`,
        '',
      ].join('\n'),
    );
  });

  it('answers 404 for an unknown capture, as JSON and as Markdown', async () => {
    const h = await hub();
    for (const path of ['/api/captures/nope', '/api/captures/nope.md']) {
      const missing = await api<ApiError>(h.url, 'GET', path);
      expect([missing.status, missing.body]).toEqual([404, { error: { code: 'SG_ERR_NOT_FOUND', message: 'no capture with id "nope"' } }]);
    }
  });

  it.each([
    [{ title: 'x', lines: [] }, 'lines: Too small: expected array to have >=1 items'],
    [{ title: '', lines: OUTAGE.lines }, 'title: Too small: expected string to have >=1 characters'],
    [{ title: 'x', lines: [{ host: 'h', file: 'f', ts: '2026-11-26', line: 'x' }] }, 'lines[0].ts: Invalid input: expected number, received string'],
    [{ title: 'x', lines: [{ host: 'h', file: 'f', ts: 1 }] }, 'lines[0].line: Invalid input: expected string, received undefined'],
    [{ title: 'x', filter: { query: 3 }, lines: OUTAGE.lines }, 'filter.query: Invalid input: expected string, received number'],
  ])('refuses %j with 400 naming the field', async (json, message) => {
    const h = await hub();
    const refused = await api<ApiError>(h.url, 'POST', '/api/captures', { json });
    expect([refused.status, refused.body]).toEqual([400, { error: { code: 'SG_ERR_BAD_REQUEST', message } }]);
  });

  it('caps a capture at 10,000 lines and a body at the configured size', async () => {
    const h = await hub({ maxApiBodyBytes: 1024 * 1024 });
    const line = { host: 'h', file: 'f', ts: 1, line: 'x' };
    const tooMany = await api<ApiError>(h.url, 'POST', '/api/captures', { json: { title: 'x', lines: Array.from({ length: 10_001 }, () => line) } });
    expect([tooMany.status, tooMany.body.error.message]).toEqual([400, 'lines: Too big: expected array to have <=10000 items']);
    const most = await api(h.url, 'POST', '/api/captures', { json: { title: 'x', lines: Array.from({ length: 10_000 }, () => line) } });
    expect(most.status).toBe(201);

    const big = { ...line, line: 'y'.repeat(60_000) };
    const large = await api<ApiError>(h.url, 'POST', '/api/captures', { json: { title: 'x', lines: Array.from({ length: 20 }, () => big) } });
    expect([large.status, large.body]).toEqual([413, { error: { code: 'SG_ERR_TOO_LARGE', message: 'request body is larger than 1048576 bytes' } }]);
  });

  it('accepts a capture of 10,000 lines of 1 KiB with the default body limit', async () => {
    const h = await hub();
    const lines = Array.from({ length: 10_000 }, (_, i) => ({ host: 'web-1', file: '/var/log/app.log', ts: T + i, line: `${i} ${'z'.repeat(1020)}` }));
    const created = await api<CaptureCreated>(h.url, 'POST', '/api/captures', { json: { title: 'big', lines } });
    expect(created.status).toBe(201);
    const read = await api<Capture>(h.url, 'GET', `/api/captures/${created.body.id}`);
    expect(read.body.lines).toHaveLength(10_000);
    expect(read.body.lines[9_999]).toEqual(lines[9_999]);
  });
});
