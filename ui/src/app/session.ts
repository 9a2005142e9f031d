import { DEFAULT_LIMITS, type Pin } from '../../../protocol/index.js';
import type { ChartWindow, TimeSpan } from '../features/chart/chart-data.js';
import { ChartStore } from '../features/chart/chart-store.js';
import { ContextStore } from '../features/context/context-store.js';
import { paneTitle } from '../features/panes/pane-tabs.js';
import { ViewStore } from '../features/panes/view-store.js';
import { OlderLines } from '../features/history/older-lines.js';
import { SearchResults, type ResultsRequest } from '../features/history/search-results.js';
import { lineTime } from '../features/history/seam.js';
import { formatLocalInput, resolveRange, type TimeRange } from '../features/history/time-range.js';
import { LineLocator } from '../features/permalink/line-locator.js';
import { pinFilter } from '../features/pins/pin-filter.js';
import { PinRates } from '../features/pins/pin-rates.js';
import { PinsStore } from '../features/pins/pins-store.js';
import { SelectionStore } from '../features/selection/selection-store.js';
import { DEFAULT_PANE_CAPACITY, PaneStream } from '../features/stream/pane-stream.js';
import { DeployLog, lastDeployAt, latestDeploy } from '../lib/api/deploy-log.js';
import { HubApi, type HubApiClient } from '../lib/api/hub-api.js';
import { VerdictStore } from '../lib/api/verdict-store.js';
import { HubClient, hubSocketUrl, type HubEvent } from '../lib/hub/hub-client.js';
import { loadToken } from '../lib/api/token-store.js';

/** Matching lines replayed from the hub's backlog when a pane's filter is set, so a pane is never blank. */
export const DEFAULT_BACKLOG_LINES = 1000;

export interface PaneRuntime {
  stream: PaneStream;
  selection: SelectionStore;
  /** Loads the lines before the stream's oldest from history (scrolling back). */
  older: OlderLines;
  /** History results the pane shows instead of its live stream while a time range is picked. */
  results: SearchResults;
}

/** "Jump to time" searches this far either side of the time. */
const JUMP_SPAN_MS = 60 * 60_000;

export interface SessionOptions {
  /** Lines kept per pane. */
  capacity?: number;
  api?: HubApiClient;
}

/**
 * Wires the features together for one page: the view (panes and filters) drives the hub
 * subscriptions, and what the hub sends is dispatched to each pane's stream once per frame; the
 * pins, their rates and the deploy markers are loaded over HTTP whenever the connection comes up
 * and kept current by the hub's events. Features do not know each other; this is the one place
 * that does.
 */
export class Session {
  readonly context: ContextStore;
  readonly locator = new LineLocator();
  readonly api: HubApiClient;
  readonly pins: PinsStore;
  readonly rates: PinRates;
  readonly deploys: DeployLog;
  /** The hub's verdicts on deploys, per pin. */
  readonly verdicts: VerdictStore;
  /** The open rate chart, if any. */
  readonly chart: ChartStore;
  private readonly capacity: number;
  private wasLive = false;
  private connectedBefore = false;
  private readonly runtimes = new Map<string, PaneRuntime>();
  /** Per pane, the filter last sent to the hub (JSON), to re-subscribe only on real changes. */
  private readonly sent = new Map<string, string>();
  private readonly disposers: (() => void)[] = [];
  private permalinkStarted = false;
  /** A `chart=1` link's chart, waiting for the pins to be listed to find its pin. */
  private pendingChart: { paneId: string; pinId: string; window: ChartWindow | undefined } | undefined;

  constructor(
    readonly client: HubClient,
    readonly view: ViewStore,
    options: SessionOptions = {},
  ) {
    this.capacity = options.capacity ?? DEFAULT_PANE_CAPACITY;
    this.api = options.api ?? new HubApi({ getToken: loadToken });
    this.context = new ContextStore(
      (id, before, after) => client.requestContext(id, before, after),
      () => client.limits.maxContextLines,
    );
    this.pins = new PinsStore(this.api);
    this.deploys = new DeployLog(this.api);
    this.rates = new PinRates({ api: this.api, lastDeployAt: (at) => lastDeployAt(this.deploys.getSnapshot().deploys, at)?.startedAt });
    this.verdicts = new VerdictStore(this.api);
    this.chart = new ChartStore(this.api);
  }

  static fromBrowser(): Session {
    const client = new HubClient({ url: hubSocketUrl(window.location), getToken: loadToken });
    return new Session(client, ViewStore.fromLocation(window.location));
  }

  /** The pane's stream and selection, created on first use. */
  runtime(paneId: string): PaneRuntime {
    let runtime = this.runtimes.get(paneId);
    if (!runtime) {
      const stream = new PaneStream(this.capacity);
      const search = this.api.search.bind(this.api);
      const older = new OlderLines(stream, search, () => this.filterOf(paneId));
      runtime = { stream, selection: new SelectionStore(), older, results: new SearchResults(search) };
      this.runtimes.set(paneId, runtime);
    }
    return runtime;
  }

  /** Shows history results for `range` in the pane instead of its live lines. */
  showRange(paneId: string, range: TimeRange, order: 'asc' | 'desc' = 'desc'): void {
    void this.runtime(paneId).results.start({ filter: this.filterOf(paneId), from: range.from, to: range.to, label: range.label, order });
  }

  /** "Jump to time": the lines around `at`, oldest first, in the pane's results view. */
  jumpTo(paneId: string, at: number, label = `Around ${formatLocalInput(at).replace('T', ' ')}`): void {
    void this.runtime(paneId).results.start({ filter: this.filterOf(paneId), from: at - JUMP_SPAN_MS, to: at + JUMP_SPAN_MS, order: 'asc', around: at, label });
  }

  /** Opens the chart of a pin's counts (over `window`, else the window last chosen). */
  openPinChart(pin: Pin, window?: ChartWindow): void {
    void this.chart.open({ kind: 'pin', pinId: pin.id, name: pin.name, filter: pinFilter(pin), countingSince: pin.countedFrom ?? pin.createdAt }, window);
  }

  /** Opens the chart of a pane's filter, counted from history. */
  openPaneChart(paneId: string, title: string, window?: ChartWindow): void {
    void this.chart.open({ kind: 'query', paneId, filter: this.filterOf(paneId), title }, window);
  }

  /**
   * What the loaded URL asked for besides the panes (an alert's links): the first pane on the
   * history of `from`..`to`, as a custom range picked in the time control would, and with `chart=1`
   * the chart of its pin (once the pins are listed) or of its filter, over that window.
   */
  private applyOpening(): void {
    const { range, chart } = this.view.opening;
    const first = this.view.getSnapshot().panes[0]!;
    if (range) this.showRange(first.id, resolveRange({ kind: 'custom', ...range }, Date.now()));
    if (!chart) return;
    const window: ChartWindow | undefined = range ? { kind: 'custom', ...range } : undefined;
    if (first.pinId !== undefined) {
      this.pendingChart = { paneId: first.id, pinId: first.pinId, window };
      this.openPendingChart();
    } else if (first.filter.query !== '') this.openPaneChart(first.id, paneTitle(first.filter), window);
  }

  /** The linked chart of a pin, once the pins are known; a pin that is gone charts the pane's filter instead. */
  private openPendingChart(): void {
    const pending = this.pendingChart;
    const { status } = this.pins.getSnapshot();
    if (!pending || status === 'loading') return;
    this.pendingChart = undefined;
    const pin = this.pins.find(pending.pinId);
    if (pin) this.openPinChart(pin, pending.window);
    else if (this.filterOf(pending.paneId).query !== '') this.openPaneChart(pending.paneId, paneTitle(this.filterOf(pending.paneId)), pending.window);
  }

  /**
   * The lines of a span picked on the chart, from history, oldest first: in the pin's pane (opened
   * if need be) or in the pane the chart was opened from.
   */
  showChartSpan(span: TimeSpan, label: string): void {
    const target = this.chart.getSnapshot().target;
    if (!target) return;
    const known = target.kind === 'query' && this.view.getSnapshot().panes.some((pane) => pane.id === target.paneId);
    const paneId = target.kind === 'pin' ? this.view.openPin({ id: target.pinId, filter: target.filter }) : known ? target.paneId : this.view.getSnapshot().activeId;
    this.view.setActive(paneId);
    // Search's `to` is inclusive; a bar's end is the next bar's start.
    this.showRange(paneId, { from: span.from, to: span.to - 1, label }, 'asc');
  }

  /** The same results in the other order. */
  setResultsOrder(paneId: string, order: 'asc' | 'desc'): void {
    const { results } = this.runtime(paneId);
    const request = results.getSnapshot().request;
    if (request && request.order !== order) void results.start({ ...request, order });
  }

  /** Back to the pane's live stream. */
  goLive(paneId: string): void {
    this.runtimes.get(paneId)?.results.clear();
  }

  private filterOf(paneId: string) {
    const pane = this.view.getSnapshot().panes.find((candidate) => candidate.id === paneId);
    return pane?.filter ?? { query: '' };
  }

  start(): void {
    if (this.disposers.length > 0) return;
    this.disposers.push(
      this.view.subscribe(() => this.syncPanes()),
      this.client.onEntries((batch) => {
        for (const [paneId, entries] of batch) {
          const runtime = this.runtimes.get(paneId);
          if (!runtime) continue;
          runtime.stream.append(entries);
          // Hold the found line in view until the user resumes.
          if (this.locator.observe(paneId, entries)) runtime.stream.pause('permalink');
        }
      }),
      this.client.connection.subscribe(() => this.connectionChanged()),
      this.context.subscribe(() => this.reportContextToLocator()),
      this.client.onHubEvent((event) => this.hubEvent(event)),
      this.pins.subscribe(() => this.pinsChanged()),
    );
    this.syncPanes();
    this.applyOpening();
    this.rates.start();
    this.client.start();
  }

  stop(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.client.stop();
    this.rates.stop();
    this.pins.stop();
    this.deploys.stop();
    this.verdicts.stop();
    this.chart.stop();
    for (const runtime of this.runtimes.values()) {
      runtime.older.reset();
      runtime.results.cancel();
    }
    this.wasLive = false;
    this.connectedBefore = false;
    this.sent.clear();
    this.permalinkStarted = false;
    this.pendingChart = undefined;
  }

  /** Esc: forget the selection, the context panel and the permalink highlight. */
  clearFocus(): void {
    for (const runtime of this.runtimes.values()) runtime.selection.clear();
    this.context.close();
    this.dismissPermalink();
  }

  dismissPermalink(): void {
    this.locator.cancel();
    this.view.setLine(undefined);
  }

  /** A `#line=` link opened in this tab (pasted, or followed from the context panel). */
  openPermalink(line: string): void {
    this.permalinkStarted = false;
    // Re-subscribe with the deepest backlog the hub allows so the line can be found in the stream.
    this.sent.delete(this.view.getSnapshot().activeId);
    this.view.setLine(line);
    this.syncPanes();
    if (this.client.connection.getSnapshot().status === 'live') this.startPermalink();
  }

  private connectionChanged(): void {
    const live = this.client.connection.getSnapshot().status === 'live';
    if (live && !this.wasLive) {
      this.startPermalink();
      // Events sent while we were away are lost: list again. The hub may have restarted, too.
      void this.pins.load();
      void this.deploys.load().then(() => this.loadLatestVerdicts());
      if (this.connectedBefore) this.rates.reset();
      this.connectedBefore = true;
    }
    this.wasLive = live;
  }

  /** The latest deploy's verdicts (later changes arrive as `verdicts` messages). */
  private loadLatestVerdicts(): void {
    const latest = latestDeploy(this.deploys.getSnapshot().deploys, Date.now());
    if (latest) void this.verdicts.load(latest.id);
  }

  private hubEvent(event: HubEvent): void {
    if (event.type === 'verdicts') {
      this.verdicts.apply(event);
      return;
    }
    if (event.type === 'pin') {
      this.pins.apply(event);
      // Its buckets before its creation were filled from history: closed buckets changed.
      if (event.action === 'updated') this.rates.invalidate(event.pin.id);
      return;
    }
    this.deploys.add(event.deploy);
    // The "since deploy" counts start over: bring them up to date now rather than in 10 s.
    void this.rates.refresh();
  }

  private pinsChanged(): void {
    const { status, pins } = this.pins.getSnapshot();
    this.rates.track(pins.map((pin) => pin.id));
    this.openPendingChart();
    // Only a complete list says a pin is gone; a failed load says nothing.
    if (status === 'ready') this.view.keepPins(new Set(pins.map((pin) => pin.id)));
  }

  private startPermalink(): void {
    const { line, activeId } = this.view.getSnapshot();
    if (line === undefined || this.permalinkStarted) return;
    this.permalinkStarted = true;
    this.locator.start(line, activeId);
    this.context.open({ id: line });
  }

  private reportContextToLocator(): void {
    const locator = this.locator.getSnapshot();
    const context = this.context.getSnapshot();
    if (locator.status !== 'searching' || context.status === 'closed' || context.target.id !== locator.id) return;
    if (context.status === 'loaded') {
      const line = context.lines.find((candidate) => candidate.id === locator.id);
      this.locator.contextAnswered(true, line ? lineTime(line) : undefined);
    } else if (context.status === 'missing' || context.status === 'error') this.locator.contextAnswered(false);
  }

  /** Subscribes new panes, re-subscribes changed ones (clearing them), unsubscribes closed ones. */
  private syncPanes(): void {
    const { panes, line, activeId } = this.view.getSnapshot();
    const live = new Set<string>();
    for (const pane of panes) {
      live.add(pane.id);
      const key = JSON.stringify(pane.filter);
      const previous = this.sent.get(pane.id);
      if (previous === key) continue;
      this.sent.set(pane.id, key);
      const runtime = this.runtime(pane.id);
      runtime.stream.reset();
      runtime.selection.clear();
      runtime.older.reset();
      // Results on show follow the pane's filter: search again with the new one.
      const request: ResultsRequest | undefined = runtime.results.getSnapshot().request;
      if (previous !== undefined && request) void runtime.results.start({ ...request, filter: pane.filter });
      const linked = line !== undefined && pane.id === activeId && previous === undefined;
      const backlog = linked ? DEFAULT_LIMITS.maxBacklogLines : DEFAULT_BACKLOG_LINES;
      this.client.subscribe(pane.id, pane.filter, { backlog });
      // A changed filter on the pane a link pointed into: the link no longer applies there.
      if (previous !== undefined && this.locatorPane() === pane.id) this.dismissPermalink();
    }
    for (const paneId of [...this.sent.keys()]) {
      if (live.has(paneId)) continue;
      this.sent.delete(paneId);
      const runtime = this.runtimes.get(paneId);
      runtime?.older.reset();
      runtime?.results.clear();
      this.runtimes.delete(paneId);
      this.client.unsubscribe(paneId);
      if (this.locatorPane() === paneId) this.dismissPermalink();
    }
  }

  private locatorPane(): string | undefined {
    const state = this.locator.getSnapshot();
    return state.status === 'idle' ? undefined : state.paneId;
  }
}
