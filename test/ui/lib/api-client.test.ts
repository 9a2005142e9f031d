import { describe, expect, it, vi } from 'vitest';
import { captureCreatedSchema, pinSchema } from '../../../protocol/index.js';
import { ApiError, apiRequest } from '../../../ui/src/lib/api-client.js';

function fakeFetch(status: number, body: string) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(body, { status, statusText: status === 200 ? 'OK' : 'Error' }));
}

describe('apiRequest', () => {
  it('sends the token as a bearer header and a JSON body, and validates the answer', async () => {
    const fetch = fakeFetch(200, JSON.stringify({ id: 'c1', url: '/captures/c1' }));
    const created = await apiRequest('/api/captures', captureCreatedSchema, { method: 'POST', body: { title: 't' }, token: 'tok', fetch });
    expect(created).toEqual({ id: 'c1', url: '/captures/c1' });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/captures');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toEqual({ accept: 'application/json', authorization: 'Bearer tok', 'content-type': 'application/json' });
    expect(init?.body).toBe('{"title":"t"}');
  });

  it('sends no Authorization header without a token', async () => {
    const fetch = fakeFetch(200, JSON.stringify({ id: 'c1', url: '/x' }));
    await apiRequest('/api/captures/c1', captureCreatedSchema, { fetch });
    expect(fetch.mock.calls[0]![1]?.headers).toEqual({ accept: 'application/json' });
  });

  it("turns the hub's error body into an ApiError with its code", async () => {
    const fetch = fakeFetch(401, JSON.stringify({ error: { code: 'SG_ERR_UNAUTHORIZED', message: 'token required' } }));
    await expect(apiRequest('/api/pins', pinSchema, { fetch })).rejects.toEqual(new ApiError(401, 'SG_ERR_UNAUTHORIZED', 'token required'));
  });

  it('reports non-JSON failures and unexpected bodies', async () => {
    await expect(apiRequest('/api/pins', pinSchema, { fetch: fakeFetch(502, '<html>bad gateway</html>') })).rejects.toMatchObject({
      status: 502,
      code: undefined,
      message: '/api/pins answered 502 Error',
    });
    await expect(apiRequest('/api/pins/1', pinSchema, { fetch: fakeFetch(200, '{"nope":1}') })).rejects.toMatchObject({
      message: expect.stringContaining('unexpected body'),
    });
  });
});
