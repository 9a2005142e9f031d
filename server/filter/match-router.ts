import type { FilterSpec, MatchedLine } from '../../protocol/index.js';
import type { CompiledFilter, FilterEngine, FilterError, FilterMatches } from './filter-engine.js';
import type { SourceRef } from './batch-lines.js';

/**
 * Something that wants the lines a filter matches: a viewer's subscription today; a pin's counter
 * or a bridge to other hubs later. `deliver` runs synchronously on the ingest path, once per batch
 * (never per line), and must not block: queue or count, then return.
 */
export interface MatchSubscriber {
  deliver(lines: readonly MatchedLine[], source: SourceRef): void;
  /**
   * The engine suspended this subscriber's filter for the time it took (SG_ERR_TOO_EXPENSIVE): no
   * more lines will come. The subscription stays open until closed (a pin keeps it, counting nothing).
   */
  suspended?(error: FilterError): void;
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
  /** Per filter key, each subscriber and the filter it holds (a suspended one and its fresh successor share a key). */
  private readonly subscribers = new Map<string, Map<MatchSubscriber, CompiledFilter>>();

  constructor(private readonly engine: FilterEngine) {
    engine.onSuspend((filter, error) => {
      for (const [subscriber, held] of this.subscribers.get(filter.key) ?? []) {
        if (held === filter) subscriber.suspended?.(error);
      }
    });
  }

  /**
   * Compiles `spec` (or shares an identical live filter) and starts delivering to `subscriber`.
   * `costlyHeld`: how many costly filters the subscriber's viewer holds already (see
   * FilterEngine.acquire). Throws FilterError.
   */
  subscribe(spec: FilterSpec, subscriber: MatchSubscriber, costlyHeld?: number): RoutedSubscription {
    const filter = this.engine.acquire(spec, costlyHeld);
    let set = this.subscribers.get(filter.key);
    if (!set) {
      set = new Map();
      this.subscribers.set(filter.key, set);
    }
    set.set(subscriber, filter);
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
      for (const [subscriber, held] of set) if (held === filter) subscriber.deliver(lines, source);
    }
    return matched;
  }
}
