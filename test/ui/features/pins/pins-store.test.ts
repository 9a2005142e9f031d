import { describe, expect, it } from 'vitest';
import { PinsStore } from '../../../../ui/src/features/pins/pins-store.js';
import { FakeApi, pin } from '../../helpers/fake-api.js';

describe('PinsStore', () => {
  it('keeps one copy of a pin it created when the hub echoes the event to everyone, us included', async () => {
    const api = new FakeApi();
    const store = new PinsStore(api);
    await store.load();
    const created = await store.create({ name: 'errors', query: 'ERROR' });
    store.apply({ type: 'pin', action: 'created', pin: created });
    expect(store.getSnapshot()).toEqual({ status: 'ready', pins: [created], error: undefined });
    await store.delete(created);
    store.apply({ type: 'pin', action: 'deleted', pin: created });
    expect(store.getSnapshot().pins).toEqual([]);
  });

  it('orders pins by creation, as the hub lists them', () => {
    const store = new PinsStore(new FakeApi());
    store.apply({ type: 'pin', action: 'created', pin: pin('c', { createdAt: 3 }) });
    store.apply({ type: 'pin', action: 'created', pin: pin('a', { createdAt: 1 }) });
    store.apply({ type: 'pin', action: 'created', pin: pin('b', { createdAt: 2 }) });
    expect(store.getSnapshot().pins.map((p) => p.name)).toEqual(['a', 'b', 'c']);
  });

  it('reports a failed list and keeps the pins events brought', async () => {
    const api = new FakeApi();
    api.listPins.mockRejectedValueOnce(new Error('a viewer token is required'));
    const store = new PinsStore(api);
    store.apply({ type: 'pin', action: 'created', pin: pin('x') });
    await store.load();
    expect(store.getSnapshot()).toEqual({ status: 'error', pins: [pin('x')], error: 'a viewer token is required' });
  });

  it('does not let a deletion announced during a list be undone by the list', async () => {
    const api = new FakeApi();
    let answer: (pins: ReturnType<typeof pin>[]) => void = () => undefined;
    api.listPins.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const store = new PinsStore(api);
    const loading = store.load();
    store.apply({ type: 'pin', action: 'deleted', pin: pin('old') });
    answer([pin('old'), pin('kept')]);
    await loading;
    expect(store.getSnapshot().pins.map((p) => p.name)).toEqual(['kept']);
  });
});
