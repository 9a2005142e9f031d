import { describe, expect, it } from 'vitest';
import type { DeployVerdicts, Verdict } from '../../../protocol/index.js';
import { watchVerdicts, type VerdictWatch } from '../../../cli/deploy-watch.js';
import { HubUnreachableError } from '../../../cli/http-get.js';
import { verdict } from './verdict-fixtures.js';

const deploy = { id: 'd1', label: 'web v2', startedAt: 0, createdAt: 0 };

/** A watch on a scripted hub and a clock that moves only when the watch sleeps. */
function scripted(answers: Array<Verdict[] | Error>, options: Partial<VerdictWatch> = {}) {
  let clock = 0;
  let polls = 0;
  const printed: string[] = [];
  const warned: string[] = [];
  const watch: VerdictWatch = {
    pins: [{ id: 'a', name: 'pin a' }],
    failFast: false,
    json: false,
    pollIntervalMs: 2_000,
    unreachableTimeoutMs: 60_000,
    deadline: 900_000,
    deadlineText: 'too late',
    fetchVerdicts: () => {
      const answer = answers[Math.min(polls, answers.length - 1)]!;
      polls += 1;
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve<DeployVerdicts>({ deploy, alpha: 0.01, verdicts: answer });
    },
    print: (line) => printed.push(line),
    warn: (line) => warned.push(line),
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    ...options,
  };
  return { watch, printed, warned, polls: () => polls, clock: () => clock };
}

describe('deploy --watch', () => {
  it('prints a pin\'s verdict when it changes, not at every poll, then the outcome', async () => {
    const run = scripted([[verdict('a')], [verdict('a', { windowCount: 9 })], [verdict('a', { verdict: 'worse' })], [verdict('a', { verdict: 'worse', final: true })]]);
    expect(await watchVerdicts(run.watch)).toBe(3);
    expect(run.printed).toHaveLength(4);
    expect(run.printed[0]).toMatch(/^pin a: unchanged, after 4 /);
    expect(run.printed[1]).toMatch(/^pin a: worse, /);
    expect(run.printed[2]).toMatch(/^pin a: worse, .*, final$/);
    expect(run.printed[3]).toBe('result: 1 of 1 pins worse after the deploy: pin a; exit 3');
  });

  it('ignores pins it was not asked to judge', async () => {
    const run = scripted([[verdict('a', { final: true }), verdict('b', { verdict: 'worse', final: true })]]);
    expect(await watchVerdicts(run.watch)).toBe(0);
    expect(run.printed.join('\n')).not.toMatch(/pin b/);
  });

  it('retries while the hub is unreachable and carries on when it answers again', async () => {
    const down = new HubUnreachableError('cannot reach http://hub:7070: connect ECONNREFUSED');
    const run = scripted([[verdict('a')], down, down, down, [verdict('a', { final: true })]]);
    expect(await watchVerdicts(run.watch)).toBe(0);
    expect(run.warned).toHaveLength(3);
    expect(run.warned[0]).toMatch(/ECONNREFUSED; retrying in \d+\.\ds$/);
  });

  it('gives up when the hub stays unreachable past the timeout', async () => {
    const run = scripted([[verdict('a')], new HubUnreachableError('cannot reach http://hub:7070: connect ECONNREFUSED')]);
    await expect(watchVerdicts(run.watch)).rejects.toThrow(/ECONNREFUSED; gave up after 1m without an answer \(--timeout\)/);
    expect(run.clock()).toBeLessThanOrEqual(2_000 + 60_000);
  });

  it('fails at once on an error that retrying cannot fix', async () => {
    const run = scripted([new Error('GET /api/deploys/d1/verdicts: the hub answered 404')]);
    await expect(watchVerdicts(run.watch)).rejects.toThrow(/404/);
    expect(run.polls()).toBe(1);
  });

  it('fails when the hub never settles the verdicts', async () => {
    const run = scripted([[verdict('a')]]);
    await expect(watchVerdicts(run.watch)).rejects.toThrow('no final verdict from the hub for "pin a": too late');
    expect(run.clock()).toBeGreaterThanOrEqual(900_000);
    expect(run.clock()).toBeLessThan(900_000 + 2_000);
  });

  it('writes NDJSON with --json', async () => {
    const run = scripted([[verdict('a', { final: true })]], { json: true });
    expect(await watchVerdicts(run.watch)).toBe(0);
    expect(run.printed.map((line) => JSON.parse(line) as { type: string }).map((record) => record.type)).toEqual(['verdict', 'summary']);
  });
});
