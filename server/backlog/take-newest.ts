interface Cursor<T> {
  items: readonly T[];
  /** Sort keys: each item's key raised to the running maximum, so keys never decrease along a list. */
  keys: number[];
  /** Index of the next item to take (walking from the end). */
  next: number;
  order: number;
}

function runningMax<T>(items: readonly T[], key: (item: T) => number): number[] {
  const keys = new Array<number>(items.length);
  let max = -Infinity;
  for (let i = 0; i < items.length; i += 1) {
    max = Math.max(max, key(items[i]!));
    keys[i] = max;
  }
  return keys;
}

/** True when cursor `a` holds a newer next item than `b` (ties: the later list wins, deterministically). */
function newer<T>(a: Cursor<T>, b: Cursor<T>): boolean {
  const ka = a.keys[a.next]!;
  const kb = b.keys[b.next]!;
  return ka > kb || (ka === kb && a.order > b.order);
}

/**
 * Merges lists that are each in order and returns the `limit` items with the highest `key`, in
 * order. Order within a list is kept even where its keys go backwards. A max-heap over the lists'
 * last items costs O(limit log lists).
 */
export function takeNewest<T>(lists: readonly (readonly T[])[], limit: number, key: (item: T) => number): T[] {
  const heap: Cursor<T>[] = [];
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!newer(heap[i]!, heap[parent]!)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < heap.length && newer(heap[left]!, heap[top]!)) top = left;
      if (right < heap.length && newer(heap[right]!, heap[top]!)) top = right;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };

  lists.forEach((items, order) => {
    if (items.length === 0) return;
    heap.push({ items, keys: runningMax(items, key), next: items.length - 1, order });
    up(heap.length - 1);
  });

  const taken: T[] = [];
  while (taken.length < limit && heap.length > 0) {
    const top = heap[0]!;
    taken.push(top.items[top.next]!);
    top.next -= 1;
    if (top.next < 0) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    down(0);
  }
  return taken.reverse();
}
