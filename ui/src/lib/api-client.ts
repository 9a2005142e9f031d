import type { z } from 'zod';
import { apiErrorSchema, type ErrorCode } from '../../../protocol/index.js';

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
 * Calls the hub's HTTP API (pins, deploys and captures use it) and validates the answer with the
 * protocol's schema, as hub-client does for socket frames: a hub bug becomes an error, not a crash.
 */
export async function apiRequest<T>(path: string, schema: z.ZodType<T>, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await (options.fetch ?? fetch)(path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page, say); the status alone describes the failure below.
    body = undefined;
  }
  if (!response.ok) {
    const parsed = apiErrorSchema.safeParse(body);
    if (parsed.success) throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message);
    throw new ApiError(response.status, undefined, `${path} answered ${response.status} ${response.statusText}`.trim());
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(response.status, undefined, `${path} answered with an unexpected body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
