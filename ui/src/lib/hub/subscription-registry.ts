import type { ErrorCode, FilterSpec } from '../../../../protocol/index.js';
import { ValueStore } from '../store.js';

export type SubscriptionStatus =
  | { state: 'pending' }
  | { state: 'active' }
  | { state: 'error'; code: ErrorCode; message: string };

interface SubscriptionRecord {
  filter: FilterSpec;
  backlog: number;
  /** The next subscribe must ask for the backlog: the filter is new, or the connection was lost. */
  backlogPending: boolean;
  /** Subscribe requests sent on this connection and not yet answered by `subscribed` or `error`. */
  awaiting: number;
  /** Matches for this sub belong to its current filter and may be shown. */
  accepting: boolean;
}

/**
 * Bookkeeping for the viewer's subscriptions, apart from the socket. The hub answers requests in
 * order, so a sub whose filter changed while a request was in flight only counts as answered when
 * its last request is, and its matches are held back until then: lines from the previous filter
 * never land in a pane that already shows the new one.
 */
export class SubscriptionRegistry {
  readonly statuses = new ValueStore<ReadonlyMap<string, SubscriptionStatus>>(new Map());
  private readonly records = new Map<string, SubscriptionRecord>();

  set(sub: string, filter: FilterSpec, backlog: number): void {
    const previous = this.records.get(sub);
    this.records.set(sub, { filter, backlog, backlogPending: backlog > 0, awaiting: previous?.awaiting ?? 0, accepting: false });
    this.setStatus(sub, { state: 'pending' });
  }

  remove(sub: string): boolean {
    const existed = this.records.delete(sub);
    if (existed) this.statuses.update((map) => withoutKey(map, sub));
    return existed;
  }

  has(sub: string): boolean {
    return this.records.has(sub);
  }

  subs(): string[] {
    return [...this.records.keys()];
  }

  /** Records that a subscribe for `sub` is being sent; returns what it must carry. */
  sending(sub: string): { filter: FilterSpec; backlog: number } | undefined {
    const record = this.records.get(sub);
    if (!record) return undefined;
    record.awaiting += 1;
    record.accepting = false;
    this.setStatus(sub, { state: 'pending' });
    return { filter: record.filter, backlog: record.backlogPending ? record.backlog : 0 };
  }

  subscribed(sub: string): void {
    const record = this.answer(sub);
    if (!record) return;
    record.accepting = true;
    record.backlogPending = false;
    this.setStatus(sub, { state: 'active' });
  }

  failed(sub: string, code: ErrorCode, message: string): void {
    const record = this.answer(sub);
    if (!record) return;
    record.accepting = false;
    this.setStatus(sub, { state: 'error', code, message });
  }

  /** The filter was refused before it left the browser (e.g. a pattern over the length limit). */
  rejectLocally(sub: string, message: string): void {
    const record = this.records.get(sub);
    if (!record) return;
    record.accepting = false;
    this.setStatus(sub, { state: 'error', code: 'SG_ERR_BAD_REQUEST', message });
  }

  isAccepting(sub: string): boolean {
    return this.records.get(sub)?.accepting ?? false;
  }

  /**
   * A lost connection loses every subscription on the hub; each must be sent again, with its
   * backlog: the replay holds the lines that arrived while we were away (the pane skips the ones it
   * already shows, by id), as docs/protocol.md prescribes for reconnects.
   */
  connectionLost(): void {
    for (const [sub, record] of this.records) {
      record.awaiting = 0;
      record.accepting = false;
      record.backlogPending = record.backlog > 0;
      this.setStatus(sub, { state: 'pending' });
    }
  }

  /** Counts one answer; returns the record only when it answers the latest request. */
  private answer(sub: string): SubscriptionRecord | undefined {
    const record = this.records.get(sub);
    if (!record) return undefined;
    record.awaiting = Math.max(0, record.awaiting - 1);
    return record.awaiting === 0 ? record : undefined;
  }

  private setStatus(sub: string, status: SubscriptionStatus): void {
    const current = this.statuses.getSnapshot().get(sub);
    if (current && current.state === status.state && status.state !== 'error') return;
    this.statuses.update((map) => new Map(map).set(sub, status));
  }
}

function withoutKey<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
