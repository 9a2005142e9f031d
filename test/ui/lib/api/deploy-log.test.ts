import { describe, expect, it } from 'vitest';
import { DEPLOY_HISTORY_MS, DeployLog, lastDeployAt } from '../../../../ui/src/lib/api/deploy-log.js';
import { FakeApi, deploy } from '../../helpers/fake-api.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('DeployLog', () => {
  it('lists the last day of deploys, then merges live ones in start order without duplicates', async () => {
    const api = new FakeApi();
    let answer: (deploys: ReturnType<typeof deploy>[]) => void = () => undefined;
    api.listDeploys.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const log = new DeployLog(api, () => NOW);
    const loaded = log.load();
    expect(api.listDeploys.mock.calls[0]![0]).toBe(NOW - DEPLOY_HISTORY_MS);

    // Arrives by event while the list is on its way, and is in the list too.
    log.add(deploy('c', NOW - 1000));
    answer([deploy('a', NOW - 3000), deploy('c', NOW - 1000), deploy('too old', NOW - DEPLOY_HISTORY_MS - 1)]);
    await loaded;
    log.add(deploy('b', NOW - 2000));
    expect(log.getSnapshot().deploys.map((d) => d.label)).toEqual(['a', 'b', 'c']);
    expect(log.getSnapshot().error).toBeUndefined();
  });

  it('keeps what it has and says why when the list cannot be had', async () => {
    const api = new FakeApi();
    api.listDeploys.mockRejectedValueOnce(new Error('the hub answered 500'));
    const log = new DeployLog(api, () => NOW);
    log.add(deploy('live', NOW));
    await log.load();
    expect(log.getSnapshot()).toEqual({ deploys: [deploy('live', NOW)], error: 'the hub answered 500' });
  });

  it('ignores the answer of a load that a newer one replaced', async () => {
    const api = new FakeApi();
    const answers: ((deploys: ReturnType<typeof deploy>[]) => void)[] = [];
    api.listDeploys.mockImplementation(() => new Promise((resolve) => answers.push(resolve)));
    const log = new DeployLog(api, () => NOW);
    const first = log.load();
    const second = log.load();
    answers[1]!([deploy('new', NOW)]);
    answers[0]!([deploy('stale', NOW - 5)]);
    await Promise.all([first, second]);
    expect(log.getSnapshot().deploys.map((d) => d.label)).toEqual(['new']);
    expect((api.listDeploys.mock.calls[0]![1] as AbortSignal).aborted).toBe(true);
  });
});

describe('lastDeployAt', () => {
  it('is the latest deploy that started at or before the time, not one announced for later', () => {
    const deploys = [deploy('a', 100), deploy('b', 200), deploy('planned', 900)];
    expect(lastDeployAt(deploys, 250)?.label).toBe('b');
    expect(lastDeployAt(deploys, 200)?.label).toBe('b');
    expect(lastDeployAt(deploys, 199)?.label).toBe('a');
    expect(lastDeployAt(deploys, 50)).toBeUndefined();
  });
});
