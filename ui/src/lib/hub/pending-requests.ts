/** Requests awaiting an answer by id, each failing on its own after a timeout. */
export class PendingRequests<T> {
  private readonly waiting = new Map<string, { resolve(value: T): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly timeoutError: () => Error,
  ) {}

  add(id: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(this.timeoutError());
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Settles request `id`; false when no such request is waiting (late, or not ours). */
  settle(id: string, outcome: { value: T } | { error: Error }): boolean {
    const request = this.waiting.get(id);
    if (!request) return false;
    this.waiting.delete(id);
    clearTimeout(request.timer);
    if ('error' in outcome) request.reject(outcome.error);
    else request.resolve(outcome.value);
    return true;
  }

  has(id: string): boolean {
    return this.waiting.has(id);
  }

  rejectAll(error: () => Error): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, { error: error() });
  }
}
