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

/**
 * Where a line sorts in a cluster's history: as LineKey, with the id of the hub that stores it
 * between time and source number (source numbers are per hub).
 */
export interface ClusterKey extends LineKey {
  readonly hub: string;
}

/** Negative when `a` is older than `b`; 0 for the same line. */
function compareClusterKeys(a: ClusterKey, b: ClusterKey): number {
  return a.time - b.time || (a.hub < b.hub ? -1 : a.hub > b.hub ? 1 : 0) || a.num - b.num || a.pos - b.pos;
}

export function compareClusterInOrder(order: SearchOrder, a: ClusterKey, b: ClusterKey): number {
  return order === 'asc' ? compareClusterKeys(a, b) : compareClusterKeys(b, a);
}

/**
 * `hub`'s own cursor for a page that starts right after `last` in the cluster's order: within the
 * same time, a hub that sorts before `last.hub` has nothing left there, one after it everything.
 */
export function hubShare(last: ClusterKey, hub: string): LineKey {
  if (hub === last.hub) return { time: last.time, num: last.num, pos: last.pos };
  // Hub ids order lines of the same time: a key past every line of this time on this hub, or before every one.
  const past = hub < last.hub;
  return { time: last.time, num: past ? Number.MAX_SAFE_INTEGER : -1, pos: past ? Number.MAX_SAFE_INTEGER : -1 };
}

/** Version 1 names a line of the hub that made it; version 2 (several hubs) names the hub too. */
const CURSOR_VERSION = 1;
const CLUSTER_CURSOR_VERSION = 2;
const position = z.number().int().nonnegative();
const cursorSchema = z.discriminatedUnion('v', [
  z.object({
    v: z.literal(CURSOR_VERSION),
    /** The last line emitted: [time, source number, position]. */
    last: z.tuple([z.number().finite(), position, position]),
  }),
  z.object({
    v: z.literal(CLUSTER_CURSOR_VERSION),
    /** The last line emitted: [time, hub id, source number, position]. */
    last: z.tuple([z.number().finite(), z.string().min(1).max(64), position, position]),
  }),
]);

/** The opaque cursor naming `last`, the last line a page returned: base64url of a small JSON. */
export function encodeCursor(last: LineKey | ClusterKey): string {
  const json =
    'hub' in last
      ? { v: CLUSTER_CURSOR_VERSION, last: [last.time, last.hub, last.num, last.pos] }
      : { v: CURSOR_VERSION, last: [last.time, last.num, last.pos] };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** The line a cursor names (with its hub for a cluster's cursor); undefined when `text` is not a cursor a hub made. */
export function decodeCursor(text: string): LineKey | ClusterKey | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  if (parsed.data.v === CURSOR_VERSION) {
    const [time, num, pos] = parsed.data.last;
    return { time, num, pos };
  }
  const [time, hub, num, pos] = parsed.data.last;
  return { time, hub, num, pos };
}

/** The key of a line a search returned: its time and, from its id (`<hub>-<num>-<pos>`), hub, source number and position. */
export function clusterKeyOf(line: { id: string; ts: number; eventTs?: number | undefined }): ClusterKey | undefined {
  const last = line.id.lastIndexOf('-');
  const middle = line.id.lastIndexOf('-', last - 1);
  if (middle <= 0) return undefined;
  const num = Number(line.id.slice(middle + 1, last));
  const pos = Number(line.id.slice(last + 1));
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(pos) || last === line.id.length - 1) return undefined;
  return { time: line.eventTs ?? line.ts, hub: line.id.slice(0, middle), num, pos };
}
