import type { FilterSpec, MatchedLine } from '../protocol/index.js';
import { matchFilterInBatch, type BatchRef, type SourceRef } from './batch-matcher.js';
import { compileFilter, filterKey, type CompiledFilter } from './filter-compiler.js';

export { FilterError, type CompiledFilter } from './filter-compiler.js';
export type { BatchRef, SourceRef } from './batch-matcher.js';

/** The lines of one batch that one filter matched. */
export interface FilterMatches {
  filter: CompiledFilter;
  lines: MatchedLine[];
}

interface Entry {
  filter: CompiledFilter;
  refs: number;
}

interface Selection {
  generation: number;
  filters: CompiledFilter[];
}

/**
 * The live filters of the hub. Every subscriber (a viewer's subscription, later a pin) acquires its
 * filter here; identical specs share one compiled filter and are evaluated once per batch however
 * many subscribers hold them. Pure: no sockets, no timers.
 */
export class FilterEngine {
  private readonly entries = new Map<string, Entry>();
  /** Bumped whenever the set of filters changes, invalidating the per-source selections. */
  private generation = 0;
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
    const cached = this.selections.get(source);
    if (cached && cached.generation === this.generation) return cached.filters;
    const filters: CompiledFilter[] = [];
    for (const { filter } of this.entries.values()) {
      if (filter.selects(source.host, source.file)) filters.push(filter);
    }
    this.selections.set(source, { generation: this.generation, filters });
    return filters;
  }

  /** Evaluates every live filter selecting `source` over one batch; only filters with matches are returned. */
  matchBatch(source: SourceRef, batch: BatchRef): FilterMatches[] {
    const results: FilterMatches[] = [];
    for (const filter of this.filtersFor(source)) {
      const lines: MatchedLine[] = [];
      matchFilterInBatch(filter, source, batch, lines);
      if (lines.length > 0) results.push({ filter, lines });
    }
    return results;
  }
}
