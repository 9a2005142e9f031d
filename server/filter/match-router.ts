import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import type { CompiledFilter, FilterEngine, FilterMatches } from './filter-engine.js';
import type { SourceRef } from './batch-lines.js';

/**
 * Something that wants the lines a filter matches: a viewer's subscription today; a pin's counter
 * or a bridge to other hubs later. `deliver` runs synchronously on the ingest path, once per batch
 * (never per line), and must not block: queue or count, then return.
 */
export interface MatchSubscriber {
  deliver(lines: readonly MatchedLine[], source: SourceRef): void;
}

export interface RoutedSubscription {
  readonly filter: CompiledFilter;
  /** Stops delivery and releases the filter. Safe to call twice. */
  close(): void;
}

/**
 * Routes each filter's matches to everyone holding that filter. The matched lines array is shared
 * by all of them (it is never mutated after matching), so a popular filter costs one evaluation
 * and one enqueue per subscriber per batch.
 */
export class MatchRouter {
  private readonly subscribers = new Map<string, Set<MatchSubscriber>>();

  constructor(private readonly engine: FilterEngine) {}

  /** Compiles `spec` (or shares an identical live filter) and starts delivering to `subscriber`. Throws FilterError. */
  subscribe(spec: FilterSpec, subscriber: MatchSubscriber): RoutedSubscription {
    const filter = this.engine.acquire(spec);
    let set = this.subscribers.get(filter.key);
    if (!set) {
      set = new Set();
      this.subscribers.set(filter.key, set);
    }
    set.add(subscriber);
    let open = true;
    return {
      filter,
      close: () => {
        if (!open) return;
        open = false;
        const current = this.subscribers.get(filter.key);
        current?.delete(subscriber);
        if (current?.size === 0) this.subscribers.delete(filter.key);
        this.engine.release(filter);
      },
    };
  }

  /** Hands each filter's matched lines to its subscribers; returns how many lines matched. */
  dispatch(results: readonly FilterMatches[], source: SourceRef): number {
    let matched = 0;
    for (const { filter, lines } of results) {
      matched += lines.length;
      const set = this.subscribers.get(filter.key);
      if (!set) continue;
      for (const subscriber of set) subscriber.deliver(lines, source);
    }
    return matched;
  }
}
