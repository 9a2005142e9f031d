import type { FilterSpec } from '../../../../protocol/index.js';
import { ValueStore } from '../../lib/store.js';
import { MAX_PANES, decodeView, encodeView, normalizeFilter, type Layout, type UrlView } from './url-state.js';

export interface PaneState {
  /** Stable for the pane's life; also its subscription id on the hub. Never reused within a page load. */
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

  constructor(initial: UrlView) {
    const filters = initial.panes.length > 0 ? initial.panes.slice(0, MAX_PANES) : [{ query: '' }];
    const panes = filters.map((filter, index) => ({ id: `p${index + 1}`, filter: normalizeFilter(filter) }));
    super({ panes, activeId: (panes[initial.active] ?? panes[0]!).id, layout: initial.layout, line: initial.line });
    this.nextId = panes.length + 1;
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

  setFilter(id: string, filter: FilterSpec): void {
    const clean = normalizeFilter(filter);
    this.update((view) => {
      const pane = view.panes.find((p) => p.id === id);
      if (!pane || JSON.stringify(pane.filter) === JSON.stringify(clean)) return view;
      return { ...view, panes: view.panes.map((p) => (p.id === id ? { id, filter: clean } : p)) };
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
      active: Math.max(0, view.panes.findIndex((pane) => pane.id === activeId)),
      layout: view.layout,
      ...((link?.line ?? view.line) !== undefined ? { line: link?.line ?? view.line } : {}),
    });
  }

  private newId(): string {
    return `p${this.nextId++}`;
  }
}
