import { ValueStore } from '../../lib/store.js';

export interface SelectionState {
  ids: ReadonlySet<string>;
  /** Where a shift-click range starts: the last line clicked without shift. */
  anchor: string | undefined;
}

export type SelectMode = 'single' | 'toggle' | 'range';

/** Lists the line ids between two lines (inclusive, either order), or undefined if one is gone. */
export type RangeResolver = (fromId: string, toId: string) => string[] | undefined;

export const EMPTY_SELECTION: SelectionState = { ids: new Set(), anchor: undefined };

/**
 * Click semantics of every list UI: click selects one line, ctrl/cmd-click toggles one, shift-click
 * selects from the anchor to the clicked line (replacing the selection, as file managers do).
 */
export function applyClick(state: SelectionState, id: string, mode: SelectMode, range: RangeResolver): SelectionState {
  if (mode === 'toggle') {
    const ids = new Set(state.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: id };
  }
  if (mode === 'range' && state.anchor !== undefined) {
    const between = range(state.anchor, id);
    if (between) return { ids: new Set(between), anchor: state.anchor };
  }
  return { ids: new Set([id]), anchor: id };
}

/** One pane's selected lines. */
export class SelectionStore extends ValueStore<SelectionState> {
  constructor() {
    super(EMPTY_SELECTION);
  }

  click(id: string, mode: SelectMode, range: RangeResolver): void {
    this.update((state) => applyClick(state, id, mode, range));
  }

  clear(): void {
    this.set(EMPTY_SELECTION);
  }
}
