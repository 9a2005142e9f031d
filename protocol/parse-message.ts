import { z } from 'zod';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Decodes one JSON text frame and validates it against `schema`. Never throws: a peer's bad input
 * becomes an error string the caller can log and send back.
 */
export function parseMessage<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The message is not JSON at all; the reason JSON.parse gives adds nothing for the peer.
    return { ok: false, error: 'message is not valid JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error) };
  return { ok: true, value: parsed.data };
}
