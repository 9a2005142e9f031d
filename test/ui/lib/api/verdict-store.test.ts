import { describe, expect, it, vi } from 'vitest';
import type { DeployVerdicts } from '../../../../protocol/index.js';
import { verdictOf, VerdictStore } from '../../../../ui/src/lib/api/verdict-store.js';
import { deploy } from '../../helpers/fake-api.js';
import { verdict } from '../../helpers/verdicts.js';

function answer(verdicts: DeployVerdicts['verdicts']): DeployVerdicts {
  return { deploy: deploy('web v2', verdicts[0]?.windowFrom ?? 0), alpha: 0.01, verdicts };
}

describe('VerdictStore', () => {
  it('keeps every pin verdict a `verdicts` message brings, per deploy, and finds one by deploy and pin', () => {
    const store = new VerdictStore({ deployVerdicts: vi.fn() });
    const worse = verdict();
    const other = verdict({ pinId: 'pin-timeouts', verdict: 'unchanged' });
    store.apply({ type: 'verdicts', deployId: worse.deployId, verdicts: [worse, other] });
    const state = store.getSnapshot();
    expect(verdictOf(state, worse.deployId, 'pin-timeouts')?.verdict).toBe('unchanged');
    expect(verdictOf(state, worse.deployId, worse.pinId)).toBe(worse);
    expect(verdictOf(state, 'another-deploy', worse.pinId)).toBeUndefined();
    expect(verdictOf(state, undefined, worse.pinId)).toBeUndefined();
  });

  it('loads a deploy from the HTTP API, and a message the hub computed later than the answer wins', async () => {
    const early = verdict({ verdict: 'too-few', updatedAt: 1_000 });
    const late = verdict({ verdict: 'worse', updatedAt: 2_000 });
    let resolve!: (value: DeployVerdicts) => void;
    const api = { deployVerdicts: vi.fn(() => new Promise<DeployVerdicts>((done) => (resolve = done))) };
    const store = new VerdictStore(api);
    const loading = store.load(early.deployId);
    expect(api.deployVerdicts).toHaveBeenCalledWith(early.deployId, expect.any(AbortSignal));
    store.apply({ type: 'verdicts', deployId: late.deployId, verdicts: [late] });
    resolve(answer([early]));
    await loading;
    expect(verdictOf(store.getSnapshot(), late.deployId, late.pinId)?.verdict).toBe('worse');
    expect(store.getSnapshot().alpha).toBe(0.01);

    // A newer answer replaces an older message.
    api.deployVerdicts.mockResolvedValueOnce(answer([verdict({ verdict: 'unchanged', updatedAt: 3_000, final: true })]) as never);
    await store.load(late.deployId);
    expect(verdictOf(store.getSnapshot(), late.deployId, late.pinId)).toMatchObject({ verdict: 'unchanged', final: true });
  });

  it('says why a load failed and keeps what it had', async () => {
    const store = new VerdictStore({ deployVerdicts: vi.fn(async () => Promise.reject(new Error('404 not found'))) });
    store.apply({ type: 'verdicts', deployId: 'd1', verdicts: [verdict({ deployId: 'd1' })] });
    await store.load('d2');
    expect(store.getSnapshot().error).toBe('404 not found');
    expect(store.getSnapshot().byDeploy.get('d1')).toHaveLength(1);
  });
});
