import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BACKLOG_LINES } from '../../../ui/src/app/session.js';
import { line } from '../helpers/fake-hub.js';
import { fakeSession } from '../helpers/session.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Session', () => {
  it('subscribes every pane (same sub id as the pane) and routes matches to the right pane', () => {
    const { hub, frames, session } = fakeSession('?q=status%3D5&q2=ERROR&h2=web-3');
    session.start();
    hub.current.accept();
    expect(hub.current.sentOfType('subscribe')).toEqual([
      { type: 'subscribe', sub: 'p1', filter: { query: 'status=5' }, backlog: DEFAULT_BACKLOG_LINES },
      { type: 'subscribe', sub: 'p2', filter: { query: 'ERROR', hosts: ['web-3'] }, backlog: DEFAULT_BACKLOG_LINES },
    ]);
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'status=5' } });
    hub.current.receive({ type: 'subscribed', sub: 'p2', filter: { query: 'ERROR' } });
    hub.current.receive({ type: 'matches', sub: 'p2', lines: [line('ERROR x', { id: 'e1' })] });
    frames.run();
    expect(session.runtime('p2').stream.seqOf('e1')).toBe(0);
    expect(session.runtime('p1').stream.getSnapshot().received).toBe(0);
  });

  it("re-subscribes only the pane whose filter changed, clearing its lines and selection", () => {
    const { hub, frames, session } = fakeSession('?q=a&q2=b');
    session.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a' } });
    hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('a', { id: 'a1' })] });
    frames.run();
    session.runtime('p1').selection.click('a1', 'single', () => undefined);

    session.view.setFilter('p1', { query: 'a+' });
    const subscribes = hub.current.sentOfType('subscribe');
    expect(subscribes).toHaveLength(3);
    expect(subscribes[2]).toEqual({ type: 'subscribe', sub: 'p1', filter: { query: 'a+' }, backlog: DEFAULT_BACKLOG_LINES });
    expect(session.runtime('p1').stream.getSnapshot().received).toBe(0);
    expect(session.runtime('p1').selection.getSnapshot().ids.size).toBe(0);

    session.view.setActive('p2');
    expect(hub.current.sentOfType('subscribe')).toHaveLength(3);
  });

  it('after a reconnect, adds the lines it missed after a gap marker and skips those it showed', () => {
    const { hub, frames, session } = fakeSession('?q=x');
    session.start();
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'x' } });
    hub.current.receive({ type: 'matches', sub: 'p1', backlog: true, lines: [line('x a', { id: 'a' }), line('x b', { id: 'b' })] });
    frames.run();
    hub.current.serverClose(1006);
    vi.advanceTimersByTime(250);
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'x' } });
    hub.current.receive({ type: 'matches', sub: 'p1', backlog: true, lines: [line('x b', { id: 'b' }), line('x c', { id: 'c' })] });
    frames.run();
    const stream = session.runtime('p1').stream;
    const { start, end } = stream.getSnapshot();
    const shown = [];
    for (let seq = start; seq < end; seq++) {
      const entry = stream.entryAt(seq)!;
      shown.push(entry.kind === 'line' ? entry.line.id : entry.kind);
    }
    expect(shown).toEqual(['a', 'b', 'gap', 'c']);
  });

  it('subscribes added panes and unsubscribes closed ones', () => {
    const { hub, session } = fakeSession();
    session.start();
    hub.current.accept();
    const id = session.view.addPane({ query: 'x' });
    expect(hub.current.sentOfType('subscribe').at(-1)).toMatchObject({ sub: id, filter: { query: 'x' } });
    session.view.closePane(id!);
    expect(hub.current.sentOfType('unsubscribe')).toEqual([{ type: 'unsubscribe', sub: id }]);
  });

  it('finds a permalinked line in the replayed backlog, pauses there and opens its context', () => {
    const { hub, frames, session } = fakeSession('?q=a&q2=b&active=2', '#line=L42');
    session.start();
    hub.current.accept({ limits: { maxBacklogLines: 5000, maxContextLines: 500, maxPatternLength: 1024 } });
    const subscribes = hub.current.sentOfType('subscribe');
    expect(subscribes.map((s) => [s.sub, s.backlog])).toEqual([
      ['p1', DEFAULT_BACKLOG_LINES],
      ['p2', 5000],
    ]);
    expect(hub.current.sentOfType('context')).toMatchObject([{ id: 'L42' }]);
    expect(session.locator.getSnapshot()).toEqual({ status: 'searching', id: 'L42', paneId: 'p2' });

    hub.current.receive({ type: 'subscribed', sub: 'p2', filter: { query: 'b' } });
    hub.current.receive({ type: 'matches', sub: 'p2', backlog: true, lines: [line('b1'), line('b target', { id: 'L42' }), line('b3')] });
    frames.run();
    expect(session.locator.getSnapshot().status).toBe('found');
    const stream = session.runtime('p2').stream;
    expect(stream.getSnapshot().paused).toBe('permalink');
    expect(stream.seqOf('L42')).toBeLessThan(stream.getSnapshot().end);
  });

  it('says the linked line is gone when neither the replay nor the hub has it', async () => {
    const { hub, session } = fakeSession('?q=a', '#line=old');
    session.start();
    hub.current.accept();
    const request = hub.current.sentOfType('context')[0]!;
    hub.current.receive({ type: 'context', req: request.req, id: 'old', found: false, lines: [] });
    await vi.advanceTimersByTimeAsync(3000);
    expect(session.locator.getSnapshot()).toEqual({ status: 'gone', id: 'old', paneId: 'p1' });
    expect(session.context.getSnapshot().status).toBe('missing');
  });

  it('Esc clears selections, closes the context panel and forgets the permalink', async () => {
    const { hub, session } = fakeSession('?q=a', '#line=L1');
    session.start();
    hub.current.accept();
    session.runtime('p1').selection.click('x', 'single', () => undefined);
    session.clearFocus();
    expect(session.runtime('p1').selection.getSnapshot().ids.size).toBe(0);
    expect(session.context.getSnapshot().status).toBe('closed');
    expect(session.view.getSnapshot().line).toBeUndefined();
    expect(session.locator.getSnapshot().status).toBe('idle');
  });
});
