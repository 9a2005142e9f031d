import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import { matchFilterInBatch } from './batch-matcher.js';
import type { BatchRef, SourceRef } from './batch-lines.js';
import { compileFilter, filterKey, type CompiledFilter } from './filter-compiler.js';
import { matchGroupInBatch } from './group-matcher.js';
import { buildGroups, isCombinable, type PatternGroup } from './pattern-group.js';

export { FilterError, type CompiledFilter } from './filter-compiler.js';
export type { BatchRef, SourceRef } from './batch-lines.js';

/** The lines of one batch that one filter matched. */
export interface FilterMatches {
  filter: CompiledFilter;
  lines: MatchedLine[];
}

interface Entry {
  filter: CompiledFilter;
  refs: number;
}

/**
 * How the live filters are evaluated, rebuilt when they change: filters whose include patterns can
 * be searched together form groups (one pass over a batch for the whole group); the others (an
 * empty query, `\A`/`\z`, `\Q`) are evaluated one by one. Indexes are positions in `filters`.
 */
interface MatchPlan {
  filters: CompiledFilter[];
  groups: Array<{ group: PatternGroup; members: number[] }>;
  alone: number[];
}

interface Selection {
  generation: number;
  filters: CompiledFilter[];
  /** selected[i] is 1 when plan filter i selects the source. */
  selected: Uint8Array;
}

/**
 * The live filters of the hub. Every subscriber (a viewer's subscription, a pin) acquires its
 * filter here; identical specs share one compiled filter and are evaluated once per batch however
 * many subscribers hold them. Pure: no sockets, no timers.
 *
 * Filters are evaluated together: the include patterns of up to MAX_GROUP_PATTERNS filters are
 * searched in one RE2 pass over each batch (see PatternGroup), so the cost of a batch grows with
 * the lines that match, hardly with the number of filters.
 */
export class FilterEngine {
  private readonly entries = new Map<string, Entry>();
  /** Bumped whenever the set of filters changes, invalidating the plan and the per-source selections. */
  private generation = 0;
  private plan: { generation: number; plan: MatchPlan } | undefined;
  /** Which filters select each source (host and file globs), computed once per source and generation. */
  private readonly selections = new WeakMap<SourceRef, Selection>();

  /** Compiles (or reuses) the filter for `spec`. Throws FilterError when the spec is refused. */
  acquire(spec: FilterSpec): CompiledFilter {
    const key = filterKey(spec);
    const existing = this.entries.get(key);
    if (existing) {
      existing.refs += 1;
      return existing.filter;
    }
    const filter = compileFilter(spec);
    this.entries.set(key, { filter, refs: 1 });
    this.generation += 1;
    return filter;
  }

  /** Drops one reference; the filter stops being evaluated when the last one is gone. */
  release(filter: CompiledFilter): void {
    const entry = this.entries.get(filter.key);
    if (!entry || entry.filter !== filter) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.entries.delete(filter.key);
    this.generation += 1;
  }

  /** Number of distinct live filters. */
  get size(): number {
    return this.entries.size;
  }

  /** The live filters whose host and file globs select `source`. */
  filtersFor(source: SourceRef): CompiledFilter[] {
    return this.selectionFor(source, this.currentPlan()).filters;
  }

  /** Evaluates every live filter selecting `source` over one batch; only filters with matches are returned, in the order they were acquired. */
  matchBatch(source: SourceRef, batch: BatchRef): FilterMatches[] {
    const plan = this.currentPlan();
    const { selected, filters } = this.selectionFor(source, plan);
    if (filters.length === 0) return [];
    const found: Array<MatchedLine[] | undefined> = new Array(plan.filters.length);
    const evaluateAlone = (index: number) => {
      const lines: MatchedLine[] = [];
      matchFilterInBatch(plan.filters[index]!, source, batch, lines);
      found[index] = lines;
    };
    for (const index of plan.alone) if (selected[index]) evaluateAlone(index);
    for (const { group, members } of plan.groups) {
      let count = 0;
      let only = -1;
      for (const index of members) {
        if (selected[index]) {
          count += 1;
          only = index;
        }
      }
      // A group one filter of which selects this source costs less as that filter alone.
      if (count === 1) evaluateAlone(only);
      else if (count > 1) matchGroupInBatch(group, members, plan.filters, selected, source, batch, found);
    }
    const results: FilterMatches[] = [];
    for (let index = 0; index < found.length; index += 1) {
      const lines = found[index];
      if (lines !== undefined && lines.length > 0) results.push({ filter: plan.filters[index]!, lines });
    }
    return results;
  }

  private currentPlan(): MatchPlan {
    if (this.plan?.generation === this.generation) return this.plan.plan;
    const filters = [...this.entries.values()].map((entry) => entry.filter);
    const combinable: number[] = [];
    const alone: number[] = [];
    filters.forEach((filter, index) => {
      if (filter.include !== undefined && isCombinable(filter.include)) combinable.push(index);
      else alone.push(index);
    });
    const groups: MatchPlan['groups'] = [];
    if (combinable.length > 1) {
      for (const { group, offset } of buildGroups(combinable.map((index) => filters[index]!.include!))) {
        const members = combinable.slice(offset, offset + group.patterns.length);
        if (members.length === 1) alone.push(members[0]!);
        else groups.push({ group, members });
      }
    } else {
      alone.push(...combinable);
    }
    const plan: MatchPlan = { filters, groups, alone: alone.sort((a, b) => a - b) };
    this.plan = { generation: this.generation, plan };
    return plan;
  }

  private selectionFor(source: SourceRef, plan: MatchPlan): Selection {
    const cached = this.selections.get(source);
    if (cached && cached.generation === this.generation) return cached;
    const selected = new Uint8Array(plan.filters.length);
    const filters: CompiledFilter[] = [];
    plan.filters.forEach((filter, index) => {
      if (filter.selects(source.host, source.file)) {
        selected[index] = 1;
        filters.push(filter);
      }
    });
    const selection = { generation: this.generation, filters, selected };
    this.selections.set(source, selection);
    return selection;
  }
}
