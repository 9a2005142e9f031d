import type { z } from 'zod';
import { apiErrorSchema, type ErrorCode } from '../../../../protocol/index.js';

/** A non-2xx answer from /api, with the hub's stable error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** The viewer token (the one sent in the WebSocket hello); sent as `Authorization: Bearer`. */
  token?: string | undefined;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * Sent with every request that changes something. A hub behind an authenticating proxy (identity
 * from a cookie) refuses such requests without it: another site's page can make the browser send
 * the cookie, but not this header. Harmless everywhere else. See docs/security.md, "CSRF".
 */
const CSRF_HEADER = 'x-supergrep-csrf';

/** Fetches an /api path; throws ApiError on a non-2xx answer. Returns the body as text. */
async function send(path: string, accept: string, options: ApiOptions): Promise<{ response: Response; text: string }> {
  const response = await open(path, accept, options);
  return { response, text: await response.text() };
}

/** Fetches an /api path and returns the response unread once it is 2xx; throws ApiError otherwise. */
async function open(path: string, accept: string, options: ApiOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  const response = await (options.fetch ?? fetch)(path, {
    method,
    headers,
    // An authenticating proxy's session cookie goes along; the UI only ever calls its own origin.
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok) throw errorFor(path, response, await response.text());
  return response;
}

function errorFor(path: string, response: Response, text: string): ApiError {
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page, say); the status alone describes the failure.
    body = undefined;
  }
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) return new ApiError(response.status, parsed.data.error.code, parsed.data.error.message);
  return new ApiError(response.status, undefined, `${path} answered ${response.status} ${response.statusText}`.trim());
}

/**
 * Calls the hub's HTTP API (pins, deploys and captures use it) and validates the answer with the
 * protocol's schema, as hub-client does for socket frames: a hub bug becomes an error, not a crash.
 */
export async function apiRequest<T>(path: string, schema: z.ZodType<T>, options: ApiOptions = {}): Promise<T> {
  const { response, text } = await send(path, 'application/json', options);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // A 2xx answer that is not JSON: the schema check below reports it.
    body = undefined;
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(response.status, undefined, `${path} answered with an unexpected body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** A streamed answer (the NDJSON of a search): the 2xx response with its body unread. */
export function apiStream(path: string, accept: string, options: ApiOptions = {}): Promise<Response> {
  return open(path, accept, options);
}

/**
 * One sentence for the user about a failed action, `doing` being what they tried ("pin this
 * filter"). A 403 means the credentials may read but not change anything: say so plainly, with the
 * hub's own explanation after it.
 */
export function describeApiError(error: unknown, doing: string): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'SG_ERR_FORBIDDEN':
        return `You cannot ${doing}: your sign-in lets you view but not change anything on this hub. Ask for an editor token. (${error.message})`;
      case 'SG_ERR_UNAUTHORIZED':
        return `Could not ${doing}: the hub wants a valid token (${error.message}). Sign in again.`;
      case 'SG_ERR_TOO_LARGE':
        return `Could not ${doing}: it is larger than the hub accepts (${error.message}).`;
      default:
        return `Could not ${doing}: ${error.message}`;
    }
  }
  if (error instanceof DOMException && error.name === 'AbortError') return `Could not ${doing}: cancelled.`;
  // fetch rejects with a TypeError when the network fails; its message varies by browser.
  return `Could not ${doing}: the hub did not answer (${error instanceof Error ? error.message : String(error)}).`;
}
