import type { FilterSpec } from '../../../../protocol/index.js';
import { ValueStore } from '../../lib/store.js';
import { MAX_PANES, decodeView, encodeView, normalizeFilter, type Layout, type UrlView } from './url-state.js';

export interface PaneState {
  /** Stable for the pane's life; also its subscription id on the hub. Never reused within a page load. */
  id: string;
  filter: FilterSpec;
  /** The pin this pane shows (opened from the pins bar, or pinned from here) while its filter is the pin's. */
  pinId?: string;
}

/** A pin as the view needs it: its id and the filter it counts. */
export interface PinnedFilter {
  id: string;
  filter: FilterSpec;
}

export interface ViewState {
  panes: readonly PaneState[];
  activeId: string;
  layout: Layout;
  /** Line permalink being shown (highlighted in the active pane). */
  line: string | undefined;
}

/** The panes, their filters and the layout: everything the URL carries. */
export class ViewStore extends ValueStore<ViewState> {
  private nextId: number;
  /** What the loaded URL asked of the first pane beyond its filter (an alert's links): applied once, by the session. */
  readonly opening: Pick<UrlView, 'range' | 'chart'>;

  constructor(initial: UrlView) {
    const filters = initial.panes.length > 0 ? initial.panes.slice(0, MAX_PANES) : [{ query: '' }];
    const panes = filters.map((filter, index): PaneState => {
      const pinId = initial.pins?.[index];
      return { id: `p${index + 1}`, filter: normalizeFilter(filter), ...(pinId !== undefined ? { pinId } : {}) };
    });
    super({ panes, activeId: (panes[initial.active] ?? panes[0]!).id, layout: initial.layout, line: initial.line });
    this.nextId = panes.length + 1;
    this.opening = { ...(initial.range ? { range: { ...initial.range } } : {}), ...(initial.chart ? { chart: true } : {}) };
  }

  static fromLocation(location: Pick<Location, 'search' | 'hash'>): ViewStore {
    return new ViewStore(decodeView(location.search, location.hash));
  }

  get canAddPane(): boolean {
    return this.getSnapshot().panes.length < MAX_PANES;
  }

  addPane(filter: FilterSpec = { query: '' }): string | undefined {
    if (!this.canAddPane) return undefined;
    const id = this.newId();
    this.update((view) => ({ ...view, panes: [...view.panes, { id, filter: normalizeFilter(filter) }], activeId: id }));
    return id;
  }

  /** Closes a pane; the last pane cannot be closed (an empty view would show nothing at all). */
  closePane(id: string): void {
    this.update((view) => {
      if (view.panes.length <= 1) return view;
      const index = view.panes.findIndex((pane) => pane.id === id);
      if (index < 0) return view;
      const panes = view.panes.filter((pane) => pane.id !== id);
      const activeId = view.activeId === id ? panes[Math.max(0, index - 1)]!.id : view.activeId;
      return { ...view, panes, activeId, line: view.activeId === id ? undefined : view.line };
    });
  }

  /** Changes a pane's filter; a pane that showed a pin no longer does (its filter is not the pin's any more). */
  setFilter(id: string, filter: FilterSpec): void {
    const clean = normalizeFilter(filter);
    this.update((view) => {
      const pane = view.panes.find((p) => p.id === id);
      if (!pane || JSON.stringify(pane.filter) === JSON.stringify(clean)) return view;
      return { ...view, panes: view.panes.map((p) => (p.id === id ? { id, filter: clean } : p)) };
    });
  }

  /**
   * Shows a pin: the pane already showing it becomes active; else the active pane takes it if it
   * shows every line unfiltered (a fresh page), else a new pane does, else (at the pane limit) the
   * active pane does. Returns the pane's id.
   */
  openPin(pin: PinnedFilter): string {
    const view = this.getSnapshot();
    const open = view.panes.find((pane) => pane.pinId === pin.id);
    if (open) {
      this.setActive(open.id);
      return open.id;
    }
    const filter = normalizeFilter(pin.filter);
    const active = view.panes.find((pane) => pane.id === view.activeId)!;
    const blank = active.pinId === undefined && JSON.stringify(active.filter) === JSON.stringify({ query: '' });
    const target = blank || !this.canAddPane ? active.id : this.newId();
    const pane: PaneState = { id: target, filter, pinId: pin.id };
    this.update((current) => ({
      ...current,
      panes: current.panes.some((p) => p.id === target) ? current.panes.map((p) => (p.id === target ? pane : p)) : [...current.panes, pane],
      activeId: target,
    }));
    return target;
  }

  /** `filter`, the pane's filter when it was pinned, is now pin `pinId`: linked unless the pane shows another filter by now. */
  linkPin(paneId: string, pinId: string, filter: FilterSpec): void {
    this.update((view) => {
      const pane = view.panes.find((p) => p.id === paneId);
      if (!pane || pane.pinId === pinId || JSON.stringify(pane.filter) !== JSON.stringify(normalizeFilter(filter))) return view;
      return { ...view, panes: view.panes.map((p) => (p.id === paneId ? { ...p, pinId } : p)) };
    });
  }

  /** Panes showing pins not in `known` (deleted) keep their filter but no longer claim the pin. */
  keepPins(known: ReadonlySet<string>): void {
    this.update((view) => {
      if (view.panes.every((pane) => pane.pinId === undefined || known.has(pane.pinId))) return view;
      return { ...view, panes: view.panes.map((pane) => (pane.pinId === undefined || known.has(pane.pinId) ? pane : { id: pane.id, filter: pane.filter })) };
    });
  }

  setActive(id: string): void {
    this.update((view) => (view.activeId === id || !view.panes.some((p) => p.id === id) ? view : { ...view, activeId: id }));
  }

  setLayout(layout: Layout): void {
    this.update((view) => (view.layout === layout ? view : { ...view, layout }));
  }

  setLine(line: string | undefined): void {
    this.update((view) => (view.line === line ? view : { ...view, line }));
  }

  /** The URL of this view (optionally with a permalink to one line in one pane). */
  toUrl(link?: { line: string; paneId: string }): { search: string; hash: string } {
    const view = this.getSnapshot();
    const activeId = link?.paneId ?? view.activeId;
    return encodeView({
      panes: view.panes.map((pane) => pane.filter),
      pins: view.panes.map((pane) => pane.pinId),
      active: Math.max(0, view.panes.findIndex((pane) => pane.id === activeId)),
      layout: view.layout,
      ...((link?.line ?? view.line) !== undefined ? { line: link?.line ?? view.line } : {}),
    });
  }

  private newId(): string {
    return `p${this.nextId++}`;
  }
}
