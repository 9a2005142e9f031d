import { DEFAULT_LIMITS, patternTooLongMessage, subscriptionIdSchema } from '../../protocol/index.js';

/**
 * For a `subscribe` the protocol schema refused: when the reason is a pattern over
 * maxPatternLength, the subscription it names and a message saying so. Such a subscribe is refused
 * on its own (SG_ERR_LIMIT, the connection stays open) instead of closing the connection as a
 * malformed message would: the viewer made a mistake it can read about and fix, not a protocol error.
 */
export function overlongPattern(text: string): { sub: string; message: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Not JSON: a malformed message, which the caller handles as such.
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const message = raw as { type?: unknown; sub?: unknown; filter?: { query?: unknown; exclude?: unknown } };
  if (message.type !== 'subscribe' || !subscriptionIdSchema.safeParse(message.sub).success) return undefined;
  const limit = DEFAULT_LIMITS.maxPatternLength;
  for (const pattern of [message.filter?.query, message.filter?.exclude]) {
    if (typeof pattern === 'string' && pattern.length > limit) {
      return { sub: message.sub as string, message: patternTooLongMessage(pattern.length, limit) };
    }
  }
  return undefined;
}
