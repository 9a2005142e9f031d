/**
 * Shares the event loop between a hub's searches and everything else: a search works for at most
 * `sliceMs`, then waits for its turn, and only one waiting search resumes per event-loop turn, so
 * ingest and viewers get the loop between any two slices however many searches run.
 */
export class TimeSlicer {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(
    readonly sliceMs: number,
    readonly clock: () => number = () => performance.now(),
  ) {}

  /** A search's own slice clock; it throws the signal's reason once the search is cancelled. */
  start(signal?: AbortSignal): Slice {
    return new Slice(this, signal);
  }

  /** Resolves in a later event-loop turn (after pending I/O), one waiter per turn. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}

export class Slice {
  private began: number;

  constructor(
    private readonly slicer: TimeSlicer,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.began = slicer.clock();
  }

  /** Call before each unit of work: returns at once within the slice, else after yielding the loop; throws once cancelled. */
  async checkpoint(): Promise<void> {
    this.signal?.throwIfAborted();
    if (this.slicer.clock() - this.began < this.slicer.sliceMs) return;
    await this.slicer.wait();
    // Cancelled while waiting for its turn: stop before the next unit.
    this.signal?.throwIfAborted();
    this.began = this.slicer.clock();
  }
}
