import type { Deploy, MatchedLine, SearchRecord } from '../../protocol/index.js';
import type { SearchRequest } from '../history/search/search-executor.js';

/** Most deploy markers looked up for one backlog or one search page. */
const MAX_DEPLOYS_PER_LOOKUP = 10_000;

/** What replays and searches need of the deploy store (DeployRecords.list). */
export interface DeployLookup {
  list(sinceTs?: number, limit?: number): Deploy[];
}

/** Deploys that started in [from, to], oldest first. */
export function deploysBetween(store: DeployLookup, from: number, to: number): Deploy[] {
  if (!(from <= to)) return [];
  return store.list(Math.max(0, from), MAX_DEPLOYS_PER_LOOKUP).filter((deploy) => deploy.startedAt <= to);
}

export type BacklogPart = { lines: MatchedLine[] } | { deploy: Deploy };

/**
 * A subscription's backlog with the deploys that started since its oldest line (up to now), in
 * time order: each deploy right before the first line received at or after its start, the ones
 * after the last line at the end. `deploys` are oldest first.
 */
export function backlogWithDeploys(lines: readonly MatchedLine[], deploys: readonly Deploy[]): BacklogPart[] {
  if (deploys.length === 0) return lines.length > 0 ? [{ lines: [...lines] }] : [];
  const parts: BacklogPart[] = [];
  let run: MatchedLine[] = [];
  let next = 0;
  for (const line of lines) {
    if (next < deploys.length && deploys[next]!.startedAt <= line.ts) {
      if (run.length > 0) parts.push({ lines: run });
      run = [];
      while (next < deploys.length && deploys[next]!.startedAt <= line.ts) parts.push({ deploy: deploys[next++]! });
    }
    run.push(line);
  }
  if (run.length > 0) parts.push({ lines: run });
  while (next < deploys.length) parts.push({ deploy: deploys[next++]! });
  return parts;
}

/** The oldest received time among `lines`, or undefined when there are none. */
export function oldestTs(lines: readonly MatchedLine[]): number | undefined {
  let oldest: number | undefined;
  for (const line of lines) if (oldest === undefined || line.ts < oldest) oldest = line.ts;
  return oldest;
}

/**
 * A search page's records with `deploy` records among the matches, in the page's order, by each
 * line's search time (the time it states, else when it was received). Ascending, a deploy comes
 * before the first match at or after its start; descending, before the first match older than
 * it. A page holds the deploys between the previous page's last match (the cursor) and its own
 * last match; the last page (no cursor in `done`) those up to the window's far end.
 */
export async function* withDeployRecords(
  records: AsyncIterable<SearchRecord>,
  request: Pick<SearchRequest, 'window' | 'order' | 'cursor'>,
  lookup: (from: number, to: number) => Deploy[],
  now: number,
): AsyncGenerator<SearchRecord> {
  const { window, order, cursor } = request;
  const asc = order === 'asc';
  const from = asc && cursor ? cursor.time : (window.from ?? 0);
  const to = !asc && cursor ? cursor.time : (window.to ?? now);
  // Ascending, a deploy at the cursor's time came before that line, on the previous page.
  const deploys = lookup(from, to).filter((deploy) => !(asc && cursor && deploy.startedAt <= cursor.time));
  if (!asc) deploys.reverse();
  let next = 0;
  const before = (time: number) => (asc ? deploys[next]!.startedAt <= time : deploys[next]!.startedAt > time);
  for await (const record of records) {
    if (record.type === 'match') {
      const time = record.line.eventTs ?? record.line.ts;
      while (next < deploys.length && before(time)) yield { type: 'deploy', deploy: deploys[next++]! };
    } else if (record.type === 'done' && record.cursor === undefined) {
      while (next < deploys.length) yield { type: 'deploy', deploy: deploys[next++]! };
    }
    yield record;
  }
}
