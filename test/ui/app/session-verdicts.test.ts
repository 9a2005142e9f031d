import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verdictOf } from '../../../ui/src/lib/api/verdict-store.js';
import { deploy, FakeApi, pin } from '../helpers/fake-api.js';
import { fakeSession } from '../helpers/session.js';
import { verdict } from '../helpers/verdicts.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

describe('Session: verdicts and the chart', () => {
  it('loads the latest deploy’s verdicts on connecting, then follows the hub’s `verdicts` messages', async () => {
    const api = new FakeApi();
    const older = deploy('web v1', Date.now() - 60 * 60_000);
    const latest = deploy('web v2', Date.now() - 60_000);
    api.listDeploys.mockResolvedValue([older, latest]);
    api.deployVerdicts.mockResolvedValue({ deploy: latest, alpha: 0.01, verdicts: [verdict({ deployId: latest.id, verdict: 'unchanged', updatedAt: 1 })] });
    const { hub, session } = fakeSession('', '', { api });
    session.start();
    hub.current.accept();
    await vi.waitFor(() => expect(verdictOf(session.verdicts.getSnapshot(), latest.id, 'pin-checkout-errors')?.verdict).toBe('unchanged'));
    expect(api.deployVerdicts).toHaveBeenCalledTimes(1);
    expect(api.deployVerdicts).toHaveBeenCalledWith(latest.id, expect.any(AbortSignal));

    // A new deploy and its first verdicts: shown at once, without waiting for a refresh.
    const next = deploy('web v3', Date.now());
    hub.current.receive({ type: 'deploy', deploy: next });
    hub.current.receive({ type: 'verdicts', deployId: next.id, verdicts: [verdict({ deployId: next.id, verdict: 'worse', updatedAt: 2 })] });
    expect(verdictOf(session.verdicts.getSnapshot(), next.id, 'pin-checkout-errors')?.verdict).toBe('worse');
    session.stop();
  });

  it('opens a pin chart’s clicked bar from history in the pin’s pane, oldest first', async () => {
    const api = new FakeApi();
    const shown = pin('checkout errors', { query: 'checkout (error|failed)', createdAt: 5 });
    const { session } = fakeSession('?q=other', '', { api });
    session.openPinChart(shown);
    expect(session.chart.getSnapshot().target).toMatchObject({ kind: 'pin', pinId: shown.id, countingSince: 5 });
    session.showChartSpan({ from: 1_000_000, to: 1_010_000 }, 'Chart: a bar');
    const pane = session.view.getSnapshot().panes.find((candidate) => candidate.pinId === shown.id)!;
    expect(pane.filter).toEqual({ query: 'checkout (error|failed)' });
    expect(session.view.getSnapshot().activeId).toBe(pane.id);
    expect(session.runtime(pane.id).results.getSnapshot().request).toEqual({
      filter: { query: 'checkout (error|failed)' },
      from: 1_000_000,
      to: 1_009_999,
      label: 'Chart: a bar',
      order: 'asc',
    });
    session.chart.close();
  });
});
