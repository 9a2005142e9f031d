import { z } from 'zod';
import { apiErrorSchema } from '../protocol/index.js';
import { HubUnreachableError, getText, type GetOptions } from './http-get.js';
import { escapeControls } from './tail-format.js';

/** What a refusal says: the hub's JSON error (message and code) or the start of its text. */
export function refusalText(status: number, text: string): string {
  try {
    const parsed = apiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) return `${status}: ${escapeControls(parsed.data.error.message)} (${parsed.data.error.code})`;
  } catch {
    // Not JSON: a proxy's page, say.
  }
  return text === '' ? String(status) : `${status}: ${escapeControls(text.slice(0, 200))}`;
}

/**
 * GETs a JSON answer from the hub and validates it with `schema`. A 5xx or 429 (a hub restarting,
 * a proxy without its upstream) rejects with `HubUnreachableError`, as a lost connection does, so
 * the caller may retry; any other refusal or an answer that does not fit `schema` is final.
 */
export async function getJson<T>(url: URL, schema: z.ZodType<T>, options: GetOptions = {}): Promise<T> {
  const what = `GET ${url.pathname}`;
  const { status, text } = await getText(url, options);
  if (status >= 500 || status === 429) throw new HubUnreachableError(`${what}: the hub answered ${refusalText(status, text)}`);
  if (status !== 200) throw new Error(`${what}: the hub answered ${refusalText(status, text)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${what}: the hub's answer is not JSON: ${escapeControls(text.slice(0, 200))}`, { cause });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${what}: unexpected answer from the hub:\n${z.prettifyError(parsed.error).split('\n').map(escapeControls).join('\n')}`);
  return parsed.data;
}
