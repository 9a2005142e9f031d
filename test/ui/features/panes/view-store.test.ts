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

  it('opens a pin in a blank active pane, else in a new pane, else (at the limit) in the active pane', () => {
    const store = new ViewStore({ panes: [{ query: '' }], active: 0, layout: 'split' });
    expect(store.openPin({ id: 'a', filter: { query: 'timeout', caseInsensitive: true } })).toBe('p1');
    expect(store.getSnapshot().panes).toEqual([{ id: 'p1', filter: { query: 'timeout', caseInsensitive: true }, pinId: 'a' }]);
    expect(store.openPin({ id: 'b', filter: { query: 'oom' } })).toBe('p2');
    expect(store.getSnapshot().activeId).toBe('p2');
    // Already open: only made active.
    expect(store.openPin({ id: 'a', filter: { query: 'timeout', caseInsensitive: true } })).toBe('p1');
    expect(store.getSnapshot().panes).toHaveLength(2);
    expect(store.getSnapshot().activeId).toBe('p1');
    while (store.canAddPane) store.addPane({ query: 'other' });
    const active = store.getSnapshot().activeId;
    expect(store.openPin({ id: 'c', filter: { query: 'c' } })).toBe(active);
    expect(store.getSnapshot().panes).toHaveLength(MAX_PANES);
    expect(store.getSnapshot().panes.find((pane) => pane.id === active)).toEqual({ id: active, filter: { query: 'c' }, pinId: 'c' });
  });

  it('links a pane to the pin made from it, drops the link when its filter changes, and forgets deleted pins', () => {
    const store = ViewStore.fromLocation({ search: '?q=a&q2=b&p2=gone', hash: '' });
    // Typed on while the pin was being created: the pane no longer shows the pinned filter.
    store.linkPin('p1', 'pa', { query: 'a-typed-meanwhile' });
    expect(store.toUrl().search).toBe('?q=a&q2=b&p2=gone');
    store.linkPin('p1', 'pa', { query: 'a' });
    expect(store.toUrl().search).toBe('?q=a&p=pa&q2=b&p2=gone');
    store.keepPins(new Set(['pa']));
    expect(store.toUrl().search).toBe('?q=a&p=pa&q2=b');
    const before = store.getSnapshot();
    store.keepPins(new Set(['pa']));
    expect(store.getSnapshot()).toBe(before);
    store.setFilter('p1', { query: 'a', caseInsensitive: true });
    expect(store.getSnapshot().panes[0]).toEqual({ id: 'p1', filter: { query: 'a', caseInsensitive: true } });
  });
});
