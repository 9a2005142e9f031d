import { LatencyHistogram } from './latency-histogram.js';

export interface CanaryTrackerOptions {
  /** A line not received this long after it was written counts as lost; if it comes later it is also late. */
  lossAfterMs: number;
  /**
   * Sequence numbers remembered, for duplicates and late lines: at least the lines written in
   * lossAfterMs. A line older than that which arrives is counted as unexpected. Memory: 9 bytes each.
   */
  windowLines: number;
}

/** What happened to the canary's lines, over one interval or since the start. */
export interface CanaryCounts {
  written: number;
  /** Lines received for the first time (late ones included). */
  received: number;
  /** Lines not received within lossAfterMs of being written. */
  lost: number;
  /** Lost lines that arrived after all. */
  late: number;
  /** Lines received again. */
  duplicates: number;
  /** Lines that arrived after a line written later than them. */
  reordered: number;
  /** Lines with a sequence number never written, or too old to remember. */
  unexpected: number;
}

export interface CanaryReport extends CanaryCounts {
  /** Written, not yet received, not yet lost: in flight right now. */
  pending: number;
  /** Write-to-receipt time of the lines received, in ms; undefined when none were. */
  latencyMs: { p50: number; p99: number; max: number } | undefined;
}

const PENDING = 1;
const RECEIVED = 2;
const LOST = 3;

function zeroCounts(): CanaryCounts {
  return { written: 0, received: 0, lost: 0, late: 0, duplicates: 0, reordered: 0, unexpected: 0 };
}

/**
 * The canary's bookkeeping: sequence numbers are written in order (0, 1, 2...) at known times, and
 * come back through supergrep in any order, any number of times, or never. Times are on one clock
 * of the caller's (the canary uses the monotonic clock, so a wall-clock step does not show up as
 * latency). A ring of the last `windowLines` numbers keeps memory fixed.
 */
export class CanaryTracker {
  private readonly writtenAt: Float64Array;
  private readonly state: Uint8Array;
  private nextSeq = 0;
  /** Every number below this one is settled (received or lost). */
  private unsettled = 0;
  private pendingCount = 0;
  private highestReceived = -1;
  private interval = zeroCounts();
  private readonly totals = zeroCounts();
  private readonly intervalLatency = new LatencyHistogram();
  readonly totalLatency = new LatencyHistogram();

  constructor(private readonly options: CanaryTrackerOptions) {
    if (!(options.windowLines > 0)) throw new Error('windowLines must be positive');
    this.writtenAt = new Float64Array(options.windowLines);
    this.state = new Uint8Array(options.windowLines);
  }

  /** The sequence number the next written line must carry. */
  get next(): number {
    return this.nextSeq;
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Lines `from` up to (not including) `to` were written at `atMs`; `from` must be `next`. */
  written(from: number, to: number, atMs: number): void {
    if (from !== this.nextSeq) throw new Error(`canary line ${from} written out of order: expected ${this.nextSeq}`);
    const capacity = this.options.windowLines;
    for (let seq = from; seq < to; seq += 1) {
      // The slot is needed again: whatever still waits in it is given up (the window is too small).
      if (seq - capacity >= this.unsettled) this.settleUpTo(seq - capacity + 1);
      const slot = seq % capacity;
      this.writtenAt[slot] = atMs;
      this.state[slot] = PENDING;
      this.pendingCount += 1;
    }
    this.nextSeq = Math.max(this.nextSeq, to);
    this.count('written', to - from);
  }

  /** Line `seq` arrived at `nowMs`; returns its latency when this is its first copy. */
  received(seq: number, nowMs: number): number | undefined {
    const capacity = this.options.windowLines;
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= this.nextSeq || seq < this.nextSeq - capacity) {
      this.count('unexpected', 1);
      return undefined;
    }
    const slot = seq % capacity;
    const state = this.state[slot];
    if (state === RECEIVED) {
      this.count('duplicates', 1);
      return undefined;
    }
    if (state === PENDING) this.pendingCount -= 1;
    else this.count('late', 1);
    this.state[slot] = RECEIVED;
    this.count('received', 1);
    if (seq < this.highestReceived) this.count('reordered', 1);
    else this.highestReceived = seq;
    const latency = nowMs - this.writtenAt[slot]!;
    this.intervalLatency.record(latency);
    this.totalLatency.record(latency);
    return latency;
  }

  /** Counts as lost every line still pending that was written lossAfterMs or more before `nowMs`. */
  expire(nowMs: number): void {
    let seq = this.unsettled;
    while (seq < this.nextSeq && this.writtenAt[seq % this.options.windowLines]! + this.options.lossAfterMs <= nowMs) seq += 1;
    this.settleUpTo(seq);
  }

  /** The interval since the last call (lines lost by now counted), then a new interval starts. */
  report(nowMs: number): CanaryReport {
    this.expire(nowMs);
    const report: CanaryReport = { ...this.interval, pending: this.pendingCount, latencyMs: latencyOf(this.intervalLatency) };
    this.interval = zeroCounts();
    this.intervalLatency.reset();
    return report;
  }

  /** Everything since the start. */
  summary(): CanaryReport {
    return { ...this.totals, pending: this.pendingCount, latencyMs: latencyOf(this.totalLatency) };
  }

  private settleUpTo(end: number): void {
    for (let seq = this.unsettled; seq < end; seq += 1) {
      const slot = seq % this.options.windowLines;
      if (this.state[slot] !== PENDING) continue;
      this.state[slot] = LOST;
      this.pendingCount -= 1;
      this.count('lost', 1);
    }
    this.unsettled = Math.max(this.unsettled, end);
  }

  private count(what: keyof CanaryCounts, by: number): void {
    this.interval[what] += by;
    this.totals[what] += by;
  }
}

function latencyOf(histogram: LatencyHistogram): CanaryReport['latencyMs'] {
  if (histogram.count === 0) return undefined;
  return { p50: histogram.quantile(0.5), p99: histogram.quantile(0.99), max: histogram.max };
}
