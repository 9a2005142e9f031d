import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, pin } from '../helpers/fake-api.js';
import { fakeSession } from '../helpers/session.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

const FROM = 1_764_188_220_000;
const TO = 1_764_190_620_000;

/** The links of an alert message (server/alerts/alert-message.ts), opened in a fresh page. */
describe('Session: an alert’s links', () => {
  it('the lines link opens the first pane on the history of its range, the chart stays closed', () => {
    const api = new FakeApi();
    const { session } = fakeSession(`?q=ERROR&from=${FROM}&to=${TO}`, '', { api });
    session.start();
    expect(session.runtime('p1').results.getSnapshot().request).toMatchObject({ filter: { query: 'ERROR' }, from: FROM, to: TO, order: 'desc' });
    expect(api.search).toHaveBeenCalledWith(expect.objectContaining({ filter: { query: 'ERROR' }, from: FROM, to: TO }), expect.any(AbortSignal));
    expect(session.chart.getSnapshot().target).toBeUndefined();
    session.stop();
  });

  it('the chart link opens its pin’s chart over the range once the pins are listed, and the range in the pane', async () => {
    const api = new FakeApi();
    const errors = pin('errors', { id: 'k3x9q2aa0b1c', query: 'ERROR', createdAt: 5 });
    api.listPins.mockResolvedValue([errors]);
    const { hub, session } = fakeSession(`?q=ERROR&p=${errors.id}&from=${FROM}&to=${TO}&chart=1`, '', { api });
    session.start();
    expect(session.runtime('p1').results.getSnapshot().request).toMatchObject({ from: FROM, to: TO });
    // The pin's name is not known before the list.
    expect(session.chart.getSnapshot().target).toBeUndefined();
    hub.current.accept();
    await vi.waitFor(() => expect(session.chart.getSnapshot().target).toMatchObject({ kind: 'pin', pinId: errors.id, name: 'errors' }));
    expect(session.chart.getSnapshot().window).toEqual({ kind: 'custom', from: FROM, to: TO });
    await vi.waitFor(() => expect(api.pinRate).toHaveBeenCalledWith(errors.id, FROM, expect.any(AbortSignal)));
    session.stop();
  });

  it('a chart link to a pin that is gone charts the filter from history instead', async () => {
    const api = new FakeApi();
    const { hub, session } = fakeSession(`?q=ERROR&p=gone1&from=${FROM}&to=${TO}&chart=1`, '', { api });
    session.start();
    hub.current.accept();
    await vi.waitFor(() => expect(session.chart.getSnapshot().target).toMatchObject({ kind: 'query', paneId: 'p1', filter: { query: 'ERROR' } }));
    expect(session.chart.getSnapshot().window).toEqual({ kind: 'custom', from: FROM, to: TO });
    expect(api.histogram).toHaveBeenCalledWith(expect.objectContaining({ from: FROM, to: TO }), expect.any(AbortSignal));
    session.stop();
  });

  it('ignores a range that is not one: the pane stays live, chart=1 charts the default window', () => {
    const { session } = fakeSession(`?q=ERROR&from=${TO}&to=${FROM}&chart=1`);
    session.start();
    expect(session.runtime('p1').results.getSnapshot().request).toBeUndefined();
    expect(session.chart.getSnapshot()).toMatchObject({ target: { kind: 'query', filter: { query: 'ERROR' } }, window: { kind: 'last', ms: 60 * 60_000 } });
    session.stop();
  });
});
