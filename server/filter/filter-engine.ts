import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import { matchFilterInBatch } from './batch-matcher.js';
import type { BatchRef, SourceRef } from './batch-lines.js';
import { FilterError, compileFilter, filterKey, type CompiledFilter, type CompiledPattern } from './filter-compiler.js';
import { matchGroupInBatch } from './group-matcher.js';
import { COST_WINDOW_MS, MAX_COSTLY_FILTERS_PER_HUB, MAX_COSTLY_FILTERS_PER_VIEWER, MAX_FILTER_TIME_SHARE, costlyBudgetMessage, suspendedMessage } from './pattern-cost.js';
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
  /** Milliseconds spent evaluating it alone in the current cost window. */
  spentMs: number;
  /** Set when it took too much of the hub's time: no longer evaluated, no longer shared. */
  suspended: boolean;
}

/** How a part of the plan was evaluated: one pattern group, or one filter alone (costly or not). */
export type EvaluationKind = 'group' | 'alone' | 'costly';

/** What the engine reports of what filters cost (the hub's /metrics). */
export interface FilterCostObserver {
  /** One pattern group, or one filter evaluated alone, took `seconds` over one batch. */
  evaluated(kind: EvaluationKind, seconds: number): void;
  /** The number of live costly filters changed. */
  costlyFilters(count: number): void;
  /** A filter was refused (its pattern, or a budget of costly filters) or suspended. */
  tooExpensive(reason: 'pattern' | 'viewer' | 'hub' | 'suspended'): void;
}

export interface FilterEngineOptions {
  observer?: FilterCostObserver | undefined;
  /** Monotonic milliseconds, for evaluation times and the cost window; performance.now by default. */
  now?: () => number;
}

/** Called for a filter the engine suspended, with the error to give each of its holders. */
export type SuspendListener = (filter: CompiledFilter, error: FilterError) => void;

/**
 * How the live filters are evaluated, rebuilt when they change: filters whose include patterns can
 * be searched together form groups (one pass over a batch for the whole group); the others (an
 * empty query, `\A`/`\z`, `\Q`) are evaluated one by one. Indexes are positions in `filters`.
 */
interface MatchPlan {
  filters: CompiledFilter[];
  /** entries[i] holds filters[i]. */
  entries: Entry[];
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
 *
 * Costly filters (pattern-cost.ts) are evaluated alone, line by line, at most
 * MAX_COSTLY_FILTERS_PER_HUB of them, and are suspended when one keeps taking more than
 * MAX_FILTER_TIME_SHARE of the hub's time: no filter may starve ingest or the other viewers.
 */
export class FilterEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly observer: FilterCostObserver | undefined;
  private readonly now: () => number;
  private readonly suspendListeners: SuspendListener[] = [];
  private costlyCount = 0;
  private windowStart: number;
  /** Bumped whenever the set of filters changes, invalidating the plan and the per-source selections. */
  private generation = 0;
  private plan: { generation: number; plan: MatchPlan } | undefined;
  /** Which filters select each source (host and file globs), computed once per source and generation. */
  private readonly selections = new WeakMap<SourceRef, Selection>();

  constructor(options: FilterEngineOptions = {}) {
    this.observer = options.observer;
    this.now = options.now ?? (() => performance.now());
    this.windowStart = this.now();
  }

  /**
   * Compiles (or reuses) the filter for `spec`. Throws FilterError when the spec is refused: a bad
   * pattern, a too expensive one, or a costly filter over the hub's budget or, when the caller
   * says how many costly filters it holds already (`costlyHeld`), over a viewer's.
   */
  acquire(spec: FilterSpec, costlyHeld?: number): CompiledFilter {
    const key = filterKey(spec);
    const existing = this.entries.get(key);
    if (existing && !existing.suspended) {
      if (existing.filter.costly) this.checkViewerBudget(existing.filter, costlyHeld);
      existing.refs += 1;
      return existing.filter;
    }
    let filter: CompiledFilter;
    try {
      filter = compileFilter(spec);
    } catch (error) {
      if (error instanceof FilterError && error.code === 'SG_ERR_TOO_EXPENSIVE') this.observer?.tooExpensive('pattern');
      throw error;
    }
    if (filter.costly) {
      this.checkViewerBudget(filter, costlyHeld);
      if (this.costlyCount >= MAX_COSTLY_FILTERS_PER_HUB) {
        this.observer?.tooExpensive('hub');
        throw tooExpensive(filter, 'hub');
      }
    }
    // A suspended filter of the same spec stays with its holders until they release it; the new
    // one is evaluated afresh and its time measured anew.
    if (existing) this.entries.delete(key);
    this.entries.set(key, { filter, refs: 1, spentMs: 0, suspended: false });
    if (filter.costly) this.setCostlyCount(this.costlyCount + 1);
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
    if (filter.costly && !entry.suspended) this.setCostlyCount(this.costlyCount - 1);
    this.generation += 1;
  }

  /** Calls `listener` for every filter suspended from now on. */
  onSuspend(listener: SuspendListener): void {
    this.suspendListeners.push(listener);
  }

  private checkViewerBudget(filter: CompiledFilter, costlyHeld: number | undefined): void {
    if (costlyHeld === undefined || costlyHeld < MAX_COSTLY_FILTERS_PER_VIEWER) return;
    this.observer?.tooExpensive('viewer');
    throw tooExpensive(filter, 'viewer');
  }

  private setCostlyCount(count: number): void {
    this.costlyCount = count;
    this.observer?.costlyFilters(count);
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
      const filter = plan.filters[index]!;
      const start = this.now();
      matchFilterInBatch(filter, source, batch, lines);
      const spent = this.now() - start;
      plan.entries[index]!.spentMs += spent;
      this.observer?.evaluated(filter.costly ? 'costly' : 'alone', spent / 1000);
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
      else if (count > 1) {
        const start = this.now();
        matchGroupInBatch(group, members, plan.filters, selected, source, batch, found);
        this.observer?.evaluated('group', (this.now() - start) / 1000);
      }
    }
    this.checkCostWindow(plan);
    const results: FilterMatches[] = [];
    for (let index = 0; index < found.length; index += 1) {
      const lines = found[index];
      if (lines !== undefined && lines.length > 0) results.push({ filter: plan.filters[index]!, lines });
    }
    return results;
  }

  /**
   * At the end of each cost window, suspends the costly filters that took more than their share of
   * it. Only costly ones: any other filter is linear in the bytes it reads and the lines it matches.
   */
  private checkCostWindow(plan: MatchPlan): void {
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed < COST_WINDOW_MS) return;
    this.windowStart = now;
    for (const entry of plan.entries) {
      const share = entry.spentMs / elapsed;
      entry.spentMs = 0;
      if (!entry.filter.costly || entry.suspended || share <= MAX_FILTER_TIME_SHARE) continue;
      entry.suspended = true;
      this.setCostlyCount(this.costlyCount - 1);
      this.generation += 1;
      this.observer?.tooExpensive('suspended');
      const pattern = costliest(entry.filter);
      const error = new FilterError('SG_ERR_TOO_EXPENSIVE', suspendedMessage(pattern.source, pattern.estimate, share));
      for (const listener of this.suspendListeners) listener(entry.filter, error);
    }
  }

  private currentPlan(): MatchPlan {
    if (this.plan?.generation === this.generation) return this.plan.plan;
    const entries = [...this.entries.values()].filter((entry) => !entry.suspended);
    const filters = entries.map((entry) => entry.filter);
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
    const plan: MatchPlan = { filters, entries, groups, alone: alone.sort((a, b) => a - b) };
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

/** The filter's costly pattern (its include pattern when both are). */
function costliest(filter: CompiledFilter): CompiledPattern {
  return filter.include?.costly ? filter.include : filter.exclude!;
}

function tooExpensive(filter: CompiledFilter, holder: 'viewer' | 'hub'): FilterError {
  const pattern = costliest(filter);
  return new FilterError('SG_ERR_TOO_EXPENSIVE', costlyBudgetMessage(pattern.source, pattern.estimate, holder));
}
