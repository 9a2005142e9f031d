import { describe, expect, it, vi } from 'vitest';
import { captureCreatedSchema, pinSchema } from '../../../../protocol/index.js';
import { ApiError, apiRequest, describeApiError } from '../../../../ui/src/lib/api/api-client.js';

function fakeFetch(status: number, body: string) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(body, { status, statusText: status === 200 ? 'OK' : 'Error' }));
}

describe('apiRequest', () => {
  it('sends the token as a bearer header, a JSON body and the CSRF header on writes, and validates the answer', async () => {
    const fetch = fakeFetch(200, JSON.stringify({ id: 'c1', url: '/captures/c1' }));
    const created = await apiRequest('/api/captures', captureCreatedSchema, { method: 'POST', body: { title: 't' }, token: 'tok', fetch });
    expect(created).toEqual({ id: 'c1', url: '/captures/c1' });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/captures');
    expect(init?.method).toBe('POST');
    // X-Supergrep-CSRF: a hub behind an authenticating proxy refuses writes without it (a foreign page cannot set it).
    expect(init?.headers).toEqual({ accept: 'application/json', authorization: 'Bearer tok', 'content-type': 'application/json', 'x-supergrep-csrf': '1' });
    expect(init?.body).toBe('{"title":"t"}');
  });

  it('sends no Authorization header without a token, and no CSRF header on reads', async () => {
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

describe('describeApiError', () => {
  it('says plainly that a viewer may not change anything, with the hub’s own reason', () => {
    const message = describeApiError(new ApiError(403, 'SG_ERR_FORBIDDEN', 'alice may read but not change anything'), 'pin this filter');
    expect(message).toBe(
      'You cannot pin this filter: your sign-in lets you view but not change anything on this hub. Ask for an editor token. (alice may read but not change anything)',
    );
  });

  it.each([
    [new ApiError(409, 'SG_ERR_BAD_REQUEST', 'a pin named "x" exists'), 'Could not pin this filter: a pin named "x" exists'],
    [new ApiError(401, 'SG_ERR_UNAUTHORIZED', 'the token is not valid'), 'Could not pin this filter: the hub wants a valid token (the token is not valid). Sign in again.'],
    [new ApiError(413, 'SG_ERR_TOO_LARGE', 'request body is larger than 16 bytes'), 'Could not pin this filter: it is larger than the hub accepts (request body is larger than 16 bytes).'],
    [new TypeError('Failed to fetch'), 'Could not pin this filter: the hub did not answer (Failed to fetch).'],
  ])('%s', (error, expected) => {
    expect(describeApiError(error, 'pin this filter')).toBe(expected);
  });
});
