import { createHash, timingSafeEqual } from 'node:crypto';

/** A configured credential: the secret and the name it acts under (recorded as "who" on pins etc.). */
export interface NamedToken {
  name: string;
  secret: string;
}

const NAMED = /^([A-Za-z0-9_.@-]{1,64}):(.+)$/;

/**
 * Parses a token as given in config or env. `alice:s3cret` names the holder; a bare secret is named
 * by a short digest of itself, so logs can tell tokens apart without ever printing one.
 */
export function parseToken(text: string): NamedToken {
  const trimmed = text.trim();
  const named = NAMED.exec(trimmed);
  if (named) return { name: named[1]!, secret: named[2]! };
  return { name: `token-${digest(trimmed).toString('hex').slice(0, 8)}`, secret: trimmed };
}

/** Splits a comma-separated env value into tokens, ignoring empty items. */
export function parseTokenList(text: string | undefined): NamedToken[] {
  if (!text) return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map(parseToken);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Finds the token whose secret equals `presented`. Compares digests in constant time and always
 * walks the whole list, so response timing does not reveal how much of a secret was right.
 */
export function findToken(tokens: readonly NamedToken[], presented: string | undefined): NamedToken | undefined {
  if (presented === undefined || presented.length === 0) return undefined;
  const presentedDigest = digest(presented);
  let found: NamedToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(digest(token.secret), presentedDigest) && found === undefined) found = token;
  }
  return found;
}

/** Extracts the token from an `Authorization: Bearer ...` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : undefined;
}
