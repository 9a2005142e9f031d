import { describe, expect, it } from 'vitest';
import type { ContextResult } from '../../../../protocol/index.js';
import { ContextStore, INITIAL_CONTEXT_LINES } from '../../../../ui/src/features/context/context-store.js';
import { line } from '../../helpers/fake-hub.js';

function deferred() {
  const calls: { id: string; before: number; after: number; resolve(r: ContextResult): void; reject(e: Error): void }[] = [];
  const fetch = (id: string, before: number, after: number) =>
    new Promise<ContextResult>((resolve, reject) => {
      calls.push({ id, before, after, resolve, reject });
    });
  return { calls, fetch };
}

const answer = (id: string, lines = [line('x', { id })]): ContextResult => ({ type: 'context', req: 'c1', id, found: true, lines });

describe('ContextStore', () => {
  it('loads the lines around a line and learns host and file from the answer', async () => {
    const { calls, fetch } = deferred();
    const store = new ContextStore(fetch, () => 500);
    store.open({ id: 'l1' });
    expect(store.getSnapshot()).toEqual({ status: 'loading', target: { id: 'l1' }, before: INITIAL_CONTEXT_LINES, after: INITIAL_CONTEXT_LINES });
    const lines = [line('before', { id: 'l0' }), line('target', { id: 'l1', host: 'db-1', file: '/var/log/pg.log' })];
    calls[0]!.resolve(answer('l1', lines));
    await Promise.resolve();
    expect(store.getSnapshot()).toMatchObject({ status: 'loaded', target: { id: 'l1', host: 'db-1', file: '/var/log/pg.log' }, lines });
  });

  it('says so when the hub no longer has the line', async () => {
    const { calls, fetch } = deferred();
    const store = new ContextStore(fetch, () => 500);
    store.open({ id: 'old' });
    calls[0]!.resolve({ type: 'context', req: 'c1', id: 'old', found: false, lines: [] });
    await Promise.resolve();
    expect(store.getSnapshot()).toEqual({ status: 'missing', target: { id: 'old' } });
  });

  it('drops an answer for a line the user has moved away from', async () => {
    const { calls, fetch } = deferred();
    const store = new ContextStore(fetch, () => 500);
    store.open({ id: 'first' });
    store.open({ id: 'second' });
    calls[1]!.resolve(answer('second'));
    calls[0]!.resolve(answer('first'));
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getSnapshot()).toMatchObject({ status: 'loaded', target: { id: 'second' } });
  });

  it('reports errors, and closing discards a late answer', async () => {
    const { calls, fetch } = deferred();
    const store = new ContextStore(fetch, () => 500);
    store.open({ id: 'a' });
    calls[0]!.reject(new Error('Not connected to the hub.'));
    await Promise.resolve();
    expect(store.getSnapshot()).toEqual({ status: 'error', target: { id: 'a' }, message: 'Not connected to the hub.' });
    store.open({ id: 'b' });
    store.close();
    calls[1]!.resolve(answer('b'));
    await Promise.resolve();
    expect(store.getSnapshot()).toEqual({ status: 'closed' });
  });

  it('loads more lines by doubling, up to the hub limit', async () => {
    const { calls, fetch } = deferred();
    const store = new ContextStore(fetch, () => 60);
    store.open({ id: 'a' });
    calls[0]!.resolve(answer('a'));
    await Promise.resolve();
    store.more();
    expect([calls[1]!.before, calls[1]!.after]).toEqual([50, 50]);
    calls[1]!.resolve(answer('a'));
    await Promise.resolve();
    store.more();
    expect([calls[2]!.before, calls[2]!.after]).toEqual([60, 60]);
    calls[2]!.resolve(answer('a'));
    await Promise.resolve();
    expect(store.canLoadMore()).toBe(false);
  });
});
