import { describe, expect, it } from 'vitest';
import { EMPTY_SELECTION, SelectionStore, applyClick, type RangeResolver } from '../../../../ui/src/features/selection/selection-store.js';

const order = ['a', 'b', 'c', 'd', 'e'];
const range: RangeResolver = (from, to) => {
  const [i, j] = [order.indexOf(from), order.indexOf(to)];
  if (i < 0 || j < 0) return undefined;
  return order.slice(Math.min(i, j), Math.max(i, j) + 1);
};
const ids = (state: { ids: ReadonlySet<string> }) => [...state.ids].sort();

describe('selection clicks', () => {
  it('click selects only that line', () => {
    const state = applyClick({ ids: new Set(['a', 'b']), anchor: 'a' }, 'c', 'single', range);
    expect(ids(state)).toEqual(['c']);
    expect(state.anchor).toBe('c');
  });

  it('shift-click selects from the anchor to the clicked line, either direction', () => {
    let state = applyClick(EMPTY_SELECTION, 'b', 'single', range);
    state = applyClick(state, 'd', 'range', range);
    expect(ids(state)).toEqual(['b', 'c', 'd']);
    state = applyClick(state, 'a', 'range', range);
    expect(ids(state)).toEqual(['a', 'b']);
    expect(state.anchor).toBe('b');
  });

  it('shift-click without an anchor, or with the anchor gone, selects just the line', () => {
    expect(ids(applyClick(EMPTY_SELECTION, 'c', 'range', range))).toEqual(['c']);
    expect(ids(applyClick({ ids: new Set(['zz']), anchor: 'zz' }, 'c', 'range', range))).toEqual(['c']);
  });

  it('ctrl/cmd-click toggles one line and moves the anchor', () => {
    let state = applyClick(EMPTY_SELECTION, 'a', 'single', range);
    state = applyClick(state, 'c', 'toggle', range);
    expect(ids(state)).toEqual(['a', 'c']);
    state = applyClick(state, 'a', 'toggle', range);
    expect(ids(state)).toEqual(['c']);
    // The anchor follows the last ctrl-click even when it deselected (as file managers do).
    expect(state.anchor).toBe('a');
    state = applyClick(state, 'c', 'range', range);
    expect(ids(state)).toEqual(['a', 'b', 'c']);
  });

  it('the store applies clicks and clears', () => {
    const store = new SelectionStore();
    store.click('b', 'single', range);
    store.click('c', 'toggle', range);
    expect(ids(store.getSnapshot())).toEqual(['b', 'c']);
    store.clear();
    expect(store.getSnapshot()).toBe(EMPTY_SELECTION);
  });
});
