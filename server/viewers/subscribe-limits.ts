import { DEFAULT_LIMITS, globTooLongMessage, patternTooLongMessage, subscriptionIdSchema, tooManyGlobsMessage } from '../../protocol/index.js';

/** What the message that is over a limit could not say. */
type Message = {
  type?: unknown;
  sub?: unknown;
  filter?: { query?: unknown; exclude?: unknown; hosts?: unknown; files?: unknown; namespaces?: unknown; pods?: unknown; containers?: unknown };
};

/**
 * For a `subscribe` the protocol schema refused: when the reason is a limit (a pattern over
 * maxPatternLength, a glob over maxGlobLength, a list over maxGlobsPerList), the subscription it
 * names and a message saying so. Such a subscribe is refused on its own (SG_ERR_LIMIT, the
 * connection stays open) instead of closing the connection as a malformed message would: the
 * viewer made a mistake it can read about and fix, not a protocol error.
 */
export function subscribeOverLimit(text: string): { sub: string; message: string } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Not JSON: a malformed message, which the caller handles as such.
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const message = raw as Message;
  if (message.type !== 'subscribe' || !subscriptionIdSchema.safeParse(message.sub).success) return undefined;
  const reason = overLimit(message.filter);
  return reason === undefined ? undefined : { sub: message.sub as string, message: reason };
}

function overLimit(filter: Message['filter']): string | undefined {
  const limit = DEFAULT_LIMITS.maxPatternLength;
  for (const pattern of [filter?.query, filter?.exclude]) {
    if (typeof pattern === 'string' && pattern.length > limit) return patternTooLongMessage(pattern.length, limit);
  }
  for (const list of [filter?.hosts, filter?.files, filter?.namespaces, filter?.pods, filter?.containers]) {
    if (!Array.isArray(list)) continue;
    if (list.length > DEFAULT_LIMITS.maxGlobsPerList) return tooManyGlobsMessage(list.length);
    const long = list.find((glob): glob is string => typeof glob === 'string' && glob.length > DEFAULT_LIMITS.maxGlobLength);
    if (long !== undefined) return globTooLongMessage(long.length);
  }
  return undefined;
}
