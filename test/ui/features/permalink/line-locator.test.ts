import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LineLocator } from '../../../../ui/src/features/permalink/line-locator.js';
import type { StreamEntry } from '../../../../ui/src/lib/hub/stream-entry.js';
import { line } from '../../helpers/fake-hub.js';

const entry = (id: string, backlog: boolean): StreamEntry => ({ kind: 'line', line: line(id, { id }), backlog });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LineLocator', () => {
  it('finds the line in a batch of its pane', () => {
    const locator = new LineLocator(3000);
    locator.start('target', 'p1');
    expect(locator.observe('p2', [entry('target', true)])).toBe(false);
    expect(locator.observe('p1', [entry('a', true), entry('target', true)])).toBe(true);
    expect(locator.getSnapshot()).toEqual({ status: 'found', id: 'target', paneId: 'p1' });
    expect(locator.observe('p1', [entry('target', false)])).toBe(false);
  });

  it('reports "outside the stream" when the replay ends without it but the hub still has it', () => {
    const locator = new LineLocator(3000);
    locator.start('target', 'p1');
    locator.observe('p1', [entry('a', true)]);
    locator.contextAnswered(true, 1_700_000_000_000);
    expect(locator.getSnapshot().status).toBe('searching');
    // A live line means the backlog replay is over; the line's time is kept for "Show it in history".
    locator.observe('p1', [entry('b', false)]);
    expect(locator.getSnapshot()).toStrictEqual({ status: 'outside-stream', id: 'target', paneId: 'p1', time: 1_700_000_000_000 });
  });

  it('reports "gone" when the replay goes quiet and the hub no longer has the line', () => {
    const locator = new LineLocator(3000);
    locator.start('target', 'p1');
    vi.advanceTimersByTime(2000);
    locator.observe('p1', [entry('a', true)]);
    vi.advanceTimersByTime(2999);
    locator.contextAnswered(false);
    expect(locator.getSnapshot().status).toBe('searching');
    vi.advanceTimersByTime(1);
    expect(locator.getSnapshot()).toEqual({ status: 'gone', id: 'target', paneId: 'p1' });
  });

  it('cancel() stops the search', () => {
    const locator = new LineLocator(3000);
    locator.start('target', 'p1');
    locator.cancel();
    vi.advanceTimersByTime(5000);
    locator.contextAnswered(false);
    expect(locator.getSnapshot()).toEqual({ status: 'idle' });
  });
});
