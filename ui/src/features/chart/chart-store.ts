import type { FilterSpec } from '../../../../protocol/index.js';
import type { HubApi } from '../../lib/api/hub-api.js';
import { ValueStore } from '../../lib/store.js';
import { chooseStep, fromHistogram, fromPinRate, windowSpan, type ChartSeries, type ChartWindow } from './chart-data.js';

/** What a chart counts: a pin (its counts, kept by the hub as it goes) or any filter (counted from history). */
export type ChartTarget =
  | { kind: 'pin'; pinId: string; name: string; filter: FilterSpec; countingSince: number }
  | { kind: 'query'; paneId: string; filter: FilterSpec; title: string };

export interface ChartState {
  /** Undefined: the chart is closed. */
  target: ChartTarget | undefined;
  window: ChartWindow;
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The last series loaded for this target and window (kept while a refresh runs). */
  series: ChartSeries | undefined;
  error: string | undefined;
}

/** How often a pin's chart of the last N minutes is brought up to date (the hub counts in 10 s buckets). */
const PIN_REFRESH_MS = 10_000;
const DEFAULT_WINDOW: ChartWindow = { kind: 'last', ms: 60 * 60_000 };

/**
 * The open chart: what it counts, over which window, and the bars loaded for it. A pin's counts
 * come from GET /api/pins/:id/rate and follow the live counts every 10 s; any other filter's from
 * GET /api/search/histogram, once per window chosen (a scan of history is not free).
 */
export class ChartStore extends ValueStore<ChartState> {
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly api: Pick<HubApi, 'pinRate' | 'histogram'>,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = PIN_REFRESH_MS,
  ) {
    super({ target: undefined, window: DEFAULT_WINDOW, status: 'idle', series: undefined, error: undefined });
  }

  /** Opens the chart of `target`, over `window` if given, else the window last chosen. */
  open(target: ChartTarget, window: ChartWindow = this.getSnapshot().window): Promise<void> {
    this.set({ ...this.getSnapshot(), target, window, series: undefined, status: 'loading', error: undefined });
    this.schedule();
    return this.load();
  }

  setWindow(window: ChartWindow): Promise<void> {
    if (!this.getSnapshot().target) return Promise.resolve();
    this.set({ ...this.getSnapshot(), window, series: undefined, status: 'loading', error: undefined });
    this.schedule();
    return this.load();
  }

  close(): void {
    this.stop();
    this.set({ ...this.getSnapshot(), target: undefined, series: undefined, status: 'idle', error: undefined });
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Loads the bars of the current target and window again. */
  async load(): Promise<void> {
    const { target, window } = this.getSnapshot();
    if (!target) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const span = windowSpan(window, this.now());
    const step = chooseStep(span.to - span.from);
    try {
      const series =
        target.kind === 'pin'
          ? fromPinRate(await this.api.pinRate(target.pinId, span.from, controller.signal), span, step, target.countingSince)
          : fromHistogram(await this.api.histogram({ filter: target.filter, from: span.from, to: span.to, step }, controller.signal));
      if (controller.signal.aborted) return;
      this.set({ ...this.getSnapshot(), series, status: 'ready', error: undefined });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.set({ ...this.getSnapshot(), status: 'error', error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  /** A pin's chart over the last N minutes follows its live counts; anything else stays as loaded. */
  private schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const { target, window } = this.getSnapshot();
    if (target?.kind !== 'pin' || window.kind !== 'last') return;
    this.timer = setInterval(() => {
      if (this.controller === undefined) void this.load();
    }, this.refreshMs);
  }
}
