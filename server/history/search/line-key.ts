import { z } from 'zod';

/**
 * Where a line sorts in history: its time (event time, else received time), then its source's
 * number, then its stream position. Two different lines never have the same key.
 */
export interface LineKey {
  readonly time: number;
  readonly num: number;
  readonly pos: number;
}

/** Negative when `a` is older than `b` (sorts first in ascending order), 0 for the same line. */
export function compareKeys(a: LineKey, b: LineKey): number {
  return a.time - b.time || a.num - b.num || a.pos - b.pos;
}

export type SearchOrder = 'asc' | 'desc';

/** Compares in output order: negative when `a` is emitted before `b`. */
export function compareInOrder(order: SearchOrder, a: LineKey, b: LineKey): number {
  return order === 'asc' ? compareKeys(a, b) : compareKeys(b, a);
}

const CURSOR_VERSION = 1;
const cursorSchema = z.object({
  v: z.literal(CURSOR_VERSION),
  /** The last line emitted: [time, source number, position]. */
  last: z.tuple([z.number().finite(), z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/** The opaque cursor naming `last`, the last line a page returned: base64url of a small JSON. */
export function encodeCursor(last: LineKey): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, last: [last.time, last.num, last.pos] }), 'utf8').toString('base64url');
}

/** The line a cursor names; undefined when `text` is not a cursor this hub made. */
export function decodeCursor(text: string): LineKey | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const [time, num, pos] = parsed.data.last;
  return { time, num, pos };
}
