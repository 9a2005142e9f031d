import type { LogLine, MatchedLine } from '../../../../protocol/index.js';
import type { DeployEntry } from '../../lib/hub/stream-entry.js';

/** The time a line is ordered and searched by: the time it states, else when it was read. */
export function lineTime(line: Pick<LogLine, 'ts' | 'eventTs'>): number {
  return line.eventTs ?? line.ts;
}

/**
 * The `to` bound of a search for the lines before `oldest`, the oldest line a view holds. It covers
 * the whole millisecond of that line whether the hub's bound is inclusive or not, so lines sharing
 * it are not lost; the ones the view already holds are then dropped by id (seamLines).
 */
export function olderBound(oldest: Pick<LogLine, 'ts' | 'eventTs'>): number {
  return lineTime(oldest) + 1;
}

/**
 * The lines of a page that a view does not hold yet, each once, in the page's order. History and
 * live lines share ids, so the id is what makes the seam between them exact.
 */
export function seamLines(page: readonly MatchedLine[], isHeld: (id: string) => boolean): MatchedLine[] {
  const seen = new Set<string>();
  const fresh: MatchedLine[] = [];
  for (const line of page) {
    if (seen.has(line.id) || isHeld(line.id)) continue;
    seen.add(line.id);
    fresh.push(line);
  }
  return fresh;
}

/**
 * A newest-first page of older lines, with the deploy dividers history placed among them, ready to
 * go above a view: oldest first, without the lines it holds.
 */
export function olderLinesToPrepend<T extends MatchedLine | DeployEntry>(newestFirst: readonly T[], isHeld: (id: string) => boolean): T[] {
  const seen = new Set<string>();
  const fresh: T[] = [];
  for (const item of newestFirst) {
    if ('kind' in item) fresh.push(item);
    else if (!seen.has(item.id) && !isHeld(item.id)) {
      seen.add(item.id);
      fresh.push(item);
    }
  }
  return fresh.reverse();
}
