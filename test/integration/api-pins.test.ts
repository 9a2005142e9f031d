import { afterEach, describe, expect, it } from 'vitest';
import { hubToClientSchema, pinListSchema, pinSchema, type ApiError, type Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, TestViewer, type TestHub } from '../helpers/hub-harness.js';

const hubs: TestHub[] = [];
async function hub(options: Record<string, unknown> = {}): Promise<TestHub> {
  const started = await startTestHub(options);
  hubs.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function readyViewer(h: TestHub): Promise<TestViewer> {
  const viewer = await TestViewer.connect(h);
  await viewer.inbox.next('welcome', (m) => m.type === 'welcome');
  return viewer;
}

/** The pin without its passing `backfilling` state. */
function stored(pin: Pin): Pin {
  const { backfilling: _backfilling, ...rest } = pin;
  return rest;
}

const CHECKOUT = { name: 'checkout errors', query: 'ERROR .*checkout', exclude: 'healthcheck', caseInsensitive: true, hosts: ['web-*'], files: ['*.log'] };

describe('/api/pins', () => {
  it('creates (201), lists and deletes (204) pins, and answers 404 for an unknown id', async () => {
    const h = await hub();
    const created = await api<Pin>(h.url, 'POST', '/api/pins', { json: CHECKOUT });
    expect(created.status).toBe(201);
    // History is on: the hub reads the pin's past from it in the background (an empty history here).
    expect(created.body).toEqual({ ...CHECKOUT, id: expect.stringMatching(/^[0-9a-z]{12}$/), createdAt: expect.any(Number), backfilling: true });
    expect(pinSchema.parse(created.body)).toEqual(created.body);
    expect(created.body).not.toHaveProperty('createdBy');
    expect(created.headers.get('location')).toBe(`/api/pins/${created.body.id}`);
    const second = await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'everything', query: '' } });
    expect(second.status).toBe(201);

    const listed = await api<Pin[]>(h.url, 'GET', '/api/pins');
    expect(listed.status).toBe(200);
    expect(pinListSchema.parse(listed.body).map(stored)).toEqual([stored(created.body), stored(second.body)]);

    const deleted = await api(h.url, 'DELETE', `/api/pins/${created.body.id}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await api<Pin[]>(h.url, 'GET', '/api/pins')).body.map(stored)).toEqual([stored(second.body)]);

    const again = await api<ApiError>(h.url, 'DELETE', `/api/pins/${created.body.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: { code: 'SG_ERR_NOT_FOUND', message: `no pin with id "${created.body.id}"` } });
    expect((await api<ApiError>(h.url, 'GET', `/api/pins/${created.body.id}/rate`)).status).toBe(404);
    expect((await api<ApiError>(h.url, 'GET', '/api/pins/nope/rate')).body.error.code).toBe('SG_ERR_NOT_FOUND');
  });

  it.each([
    ['a lookahead', { query: '(?=x)y' }],
    ['a backreference', { query: '(a)\\1' }],
    ['an unbalanced group', { query: 'ERROR (' }],
    ['a bad exclude', { query: 'ERROR', exclude: '[z-a]' }],
  ])('refuses %s with SG_ERR_BAD_REGEX and the message a viewer gets for the same filter', async (_what, filter) => {
    const h = await hub();
    const viewer = await readyViewer(h);
    const viewerError = await viewer.subscribe('s', filter);
    expect(viewerError.type).toBe('error');
    const refused = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'bad', ...filter } });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: { code: 'SG_ERR_BAD_REGEX', message: viewerError.type === 'error' ? viewerError.message : '' },
    });
    expect(refused.body.error.message).toMatch(/^invalid (exclude )?pattern/);
    expect((await api(h.url, 'GET', '/api/pins')).body).toEqual([]);
  });

  it('refuses bodies that are not JSON, not an object, of the wrong shape, or too large', async () => {
    const h = await hub({ maxApiBodyBytes: 2048 });
    const notJson = await api<ApiError>(h.url, 'POST', '/api/pins', { raw: '{"name": "x", ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('SG_ERR_BAD_REQUEST');
    expect(notJson.body.error.message).toMatch(/^request body is not valid JSON/);

    const textPlain = await api<ApiError>(h.url, 'POST', '/api/pins', { raw: JSON.stringify(CHECKOUT), contentType: 'text/plain' });
    expect([textPlain.status, textPlain.body.error.message]).toEqual([400, 'body: expected a JSON object (with content-type: application/json)']);

    const array = await api<ApiError>(h.url, 'POST', '/api/pins', { json: [CHECKOUT] });
    expect([array.status, array.body.error.message]).toEqual([400, 'body: expected a JSON object (with content-type: application/json)']);

    const wrong = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 5, query: ['x'], hosts: 'web-*' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      error: {
        code: 'SG_ERR_BAD_REQUEST',
        message:
          'query: Invalid input: expected string, received array; hosts: Invalid input: expected array, received string; ' +
          'name: Invalid input: expected string, received number',
      },
    });

    const tooLong = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'x'.repeat(101), query: 'x' } });
    expect(tooLong.body.error.message).toBe('name: Too big: expected string to have <=100 characters');

    const large = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'big', query: 'x', hosts: Array.from({ length: 60 }, (_, i) => `host-${i}-${'h'.repeat(30)}`) } });
    expect(large.status).toBe(413);
    expect(large.body).toEqual({ error: { code: 'SG_ERR_TOO_LARGE', message: 'request body is larger than 2048 bytes' } });
    expect((await api(h.url, 'GET', '/api/pins')).body).toEqual([]);
  });

  it('caps the number of pins with SG_ERR_LIMIT and refuses a second pin of the same name', async () => {
    const h = await hub({ maxPins: 2 });
    expect((await api(h.url, 'POST', '/api/pins', { json: { name: 'Checkout errors', query: 'a' } })).status).toBe(201);
    // "checkout-errors" is another metric name than "checkout_errors".
    expect((await api(h.url, 'POST', '/api/pins', { json: { name: 'checkout-errors?', query: 'b' } })).status).toBe(201);
    const full = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'third', query: 'c' } });
    expect(full.status).toBe(409);
    expect(full.body).toEqual({ error: { code: 'SG_ERR_LIMIT', message: 'this hub already has 2 pins, its maximum; delete one first' } });

    const [first, second] = (await api<Pin[]>(h.url, 'GET', '/api/pins')).body;
    expect((await api(h.url, 'DELETE', `/api/pins/${first!.id}`)).status).toBe(204);
    const same = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: 'checkout-errors!', query: 'd' } });
    expect(same.status).toBe(409);
    expect(same.body.error).toEqual({
      code: 'SG_ERR_BAD_REQUEST',
      message: 'name: pin "checkout-errors?" already has this name (both would be the metric "checkout-errors")',
    });
    // The deleted pin's name is free again.
    expect((await api(h.url, 'POST', '/api/pins', { json: { name: 'CHECKOUT ERRORS', query: 'a' } })).status).toBe(201);

    // Names with nothing a metric name can use are compared as they are.
    expect((await api(h.url, 'DELETE', `/api/pins/${second!.id}`)).status).toBe(204);
    expect((await api(h.url, 'POST', '/api/pins', { json: { name: '🔥', query: 'e' } })).status).toBe(201);
    const emoji = await api<ApiError>(h.url, 'POST', '/api/pins', { json: { name: '🔥', query: 'f' } });
    expect([emoji.status, emoji.body.error.message]).toEqual([409, 'name: pin "🔥" already has this name']);
  });

  it('tells every open viewer, and no socket before its hello, when a pin is created or deleted', async () => {
    const h = await hub();
    const viewers = [await readyViewer(h), await readyViewer(h)];
    const silent = await TestViewer.connect(h, { hello: false });

    const created = await api<Pin>(h.url, 'POST', '/api/pins', { json: CHECKOUT });
    for (const viewer of viewers) {
      const event = await viewer.inbox.next('pin created', (m) => m.type === 'pin');
      expect(hubToClientSchema.parse(event)).toEqual({ type: 'pin', action: 'created', pin: created.body });
      // Its past read from history (empty here): it counts from its creation.
      const updated = await viewer.inbox.next('pin backfilled', (m) => m.type === 'pin');
      expect(hubToClientSchema.parse(updated)).toEqual({ type: 'pin', action: 'updated', pin: { ...stored(created.body), backfilling: false } });
    }
    await api(h.url, 'DELETE', `/api/pins/${created.body.id}`);
    for (const viewer of viewers) {
      expect(await viewer.inbox.next('pin deleted', (m) => m.type === 'pin')).toEqual({ type: 'pin', action: 'deleted', pin: stored(created.body) });
    }

    // Had the events reached the socket before its hello, they would precede the welcome.
    silent.send({ type: 'hello', protocolVersion: 1, client: 'late' });
    await silent.inbox.next('welcome', (m) => m.type === 'welcome');
    expect(silent.inbox.messages[0]?.type).toBe('welcome');
    expect(silent.inbox.messages.some((m) => m.type === 'pin')).toBe(false);
  });

  it('refuses a bad rate window with 400', async () => {
    const h = await hub();
    const pin = (await api<Pin>(h.url, 'POST', '/api/pins', { json: { name: 'p', query: 'x' } })).body;
    for (const query of ['minutes=0', 'minutes=abc', 'since=x', 'minutes=5&since=1', 'minutes=1441']) {
      const refused = await api<ApiError>(h.url, 'GET', `/api/pins/${pin.id}/rate?${query}`);
      expect([query, refused.status, refused.body.error.code]).toEqual([query, 400, 'SG_ERR_BAD_REQUEST']);
    }
  });
});
