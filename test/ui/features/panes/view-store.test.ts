import { describe, expect, it } from 'vitest';
import { ViewStore } from '../../../../ui/src/features/panes/view-store.js';
import { MAX_PANES } from '../../../../ui/src/features/panes/url-state.js';

describe('ViewStore', () => {
  it('builds panes with stable ids from a URL and writes the same URL back', () => {
    const store = ViewStore.fromLocation({ search: '?q=a&q2=b&active=2', hash: '#line=l9' });
    const view = store.getSnapshot();
    expect(view.panes.map((p) => [p.id, p.filter.query])).toEqual([
      ['p1', 'a'],
      ['p2', 'b'],
    ]);
    expect(view.activeId).toBe('p2');
    expect(store.toUrl()).toEqual({ search: '?q=a&q2=b&active=2', hash: '#line=l9' });
  });

  it('adds panes (up to the limit) with new ids and makes them active', () => {
    const store = new ViewStore({ panes: [{ query: '' }], active: 0, layout: 'split' });
    const id = store.addPane({ query: 'x' });
    expect(id).toBe('p2');
    expect(store.getSnapshot().activeId).toBe('p2');
    while (store.canAddPane) store.addPane();
    expect(store.getSnapshot().panes).toHaveLength(MAX_PANES);
    expect(store.addPane()).toBeUndefined();
  });

  it('never reuses the id of a closed pane and moves the focus to a neighbour', () => {
    const store = new ViewStore({ panes: [{ query: 'a' }, { query: 'b' }], active: 1, layout: 'split' });
    store.closePane('p2');
    expect(store.getSnapshot().activeId).toBe('p1');
    expect(store.addPane()).toBe('p3');
  });

  it('will not close the last pane', () => {
    const store = new ViewStore({ panes: [{ query: 'a' }], active: 0, layout: 'split' });
    store.closePane('p1');
    expect(store.getSnapshot().panes).toHaveLength(1);
  });

  it('ignores filter updates that change nothing (no re-subscribe for a no-op)', () => {
    const store = new ViewStore({ panes: [{ query: 'a' }], active: 0, layout: 'split' });
    const before = store.getSnapshot();
    store.setFilter('p1', { query: 'a', exclude: '', hosts: [], caseInsensitive: false });
    expect(store.getSnapshot()).toBe(before);
    store.setFilter('p1', { query: 'a', caseInsensitive: true });
    expect(store.getSnapshot().panes[0]!.filter).toEqual({ query: 'a', caseInsensitive: true });
  });

  it('links to a line in a given pane', () => {
    const store = new ViewStore({ panes: [{ query: 'a' }, { query: 'b' }], active: 0, layout: 'split' });
    expect(store.toUrl({ line: 'id 1', paneId: 'p2' })).toEqual({ search: '?q=a&q2=b&active=2', hash: '#line=id%201' });
  });
});
