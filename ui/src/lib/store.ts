import { useSyncExternalStore } from 'react';

/** Anything React can read with useSyncExternalStore. Snapshots are immutable; a change is a new object. */
export interface Readable<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T;
}

/**
 * The one state primitive of the UI: a value plus listeners. Methods are arrow properties so they can
 * be handed to useSyncExternalStore (and to children) without binding, keeping references stable.
 */
export class ValueStore<T> implements Readable<T> {
  private readonly listeners = new Set<() => void>();

  constructor(private value: T) {}

  getSnapshot = (): T => this.value;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  set(next: T): void {
    if (Object.is(next, this.value)) return;
    this.value = next;
    // Copy first: a listener may unsubscribe itself or others while we iterate.
    for (const listener of [...this.listeners]) listener();
  }

  update(change: (current: T) => T): void {
    this.set(change(this.value));
  }
}

export function useStore<T>(store: Readable<T>): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
