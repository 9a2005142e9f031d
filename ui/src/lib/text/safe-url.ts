/**
 * A link taken from data someone else posted (a deploy's `url`) becomes an href only if it is
 * http(s): `javascript:` and `data:` URLs would run in the hub's origin when clicked.
 */
export function safeHttpUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    // Not an absolute URL: shown as text only, never linked.
    return undefined;
  }
}
