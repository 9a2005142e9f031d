import type { FilterSpec } from '../../../../protocol/index.js';
import { globLiteral } from '../../lib/text/glob.js';
import type { Layout } from './url-state.js';
import type { PaneState } from './view-store.js';

interface PaneTabsProps {
  panes: readonly PaneState[];
  activeId: string;
  layout: Layout;
  canAdd: boolean;
  onSelect(id: string): void;
  onAdd(): void;
  onLayout(layout: Layout): void;
}

/** One tab per pane (their filters at a glance), "+" to add one, and split-or-tabs layout. */
export function PaneTabs({ panes, activeId, layout, canAdd, onSelect, onAdd, onLayout }: PaneTabsProps) {
  return (
    <nav className="pane-tabs" aria-label="Panes">
      <div role="tablist" className="pane-tabs__list">
        {panes.map((pane, index) => (
          <button
            key={pane.id}
            type="button"
            role="tab"
            aria-selected={pane.id === activeId}
            className="pane-tabs__tab"
            title={paneTitle(pane.filter)}
            onClick={() => onSelect(pane.id)}
          >
            <span className="pane-tabs__number">{index + 1}</span> {paneTitle(pane.filter)}
          </button>
        ))}
      </div>
      <button type="button" className="pane-tabs__add" onClick={onAdd} disabled={!canAdd} title="Add a pane with its own filter">
        + Pane
      </button>
      <div className="pane-tabs__layout" role="group" aria-label="Layout">
        <button type="button" aria-pressed={layout === 'split'} onClick={() => onLayout('split')} title="All panes side by side">
          Split
        </button>
        <button type="button" aria-pressed={layout === 'tabs'} onClick={() => onLayout('tabs')} title="One pane at a time">
          Tabs
        </button>
      </div>
    </nav>
  );
}

/** "status=5\d\d on web-3", "all lines": a pane's filter in a few words. */
export function paneTitle(filter: FilterSpec): string {
  const what = filter.query === '' ? 'all lines' : filter.query;
  const hosts = filter.hosts?.map((glob) => globLiteral(glob) ?? glob);
  const where = hosts?.length ? ` on ${hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`}` : '';
  return `${what}${where}`;
}
