import { describe, expect, it } from 'vitest';
import { SourceRegistry } from '../../../../server/ingest/source-registry.js';

function registry(options: { resumeFileIdsPerHost?: number; forgetAfterMs?: number; maxFilesPerHost?: number; maxFilesPerToken?: number } = {}) {
  const clock = { now: 1_000_000 };
  const reg = new SourceRegistry({
    hubId: 'abc123',
    resumeFileIdsPerHost: options.resumeFileIdsPerHost ?? 3,
    forgetAfterMs: options.forgetAfterMs ?? 60_000,
    ...(options.maxFilesPerHost === undefined ? {} : { maxFilesPerHost: options.maxFilesPerHost }),
    ...(options.maxFilesPerToken === undefined ? {} : { maxFilesPerToken: options.maxFilesPerToken }),
    now: () => clock.now,
  });
  return { reg, clock };
}

describe('SourceRegistry', () => {
  it('takes numbers and positions from a numbering that outlives the hub (history), also after forgetting a source', () => {
    const kept = new Map([['web-1\n/a.log', { num: 7, pos: 5000 }]]);
    const clock = { now: 1_000_000 };
    const reg = new SourceRegistry({
      hubId: 'abc123',
      resumeFileIdsPerHost: 3,
      forgetAfterMs: 60_000,
      now: () => clock.now,
      numbering: { sourceFor: (host, file) => kept.get(`${host}\n${file}`) ?? { num: 8, pos: 0 } },
    });
    const a = reg.source('web-1', '/a.log');
    expect([a.num, a.pos, a.idPrefix]).toEqual([7, 5000, 'abc123-7-']);
    expect(reg.source('web-1', '/b.log').num).toBe(8);
    kept.set('web-1\n/a.log', { num: 7, pos: 6000 });
    clock.now += 120_000;
    reg.prune(() => {});
    const again = reg.source('web-1', '/a.log');
    expect(again).not.toBe(a);
    expect([again.num, again.pos]).toEqual([7, 6000]);
  });

  it('numbers sources per (host, file) and resolves line ids back to them', () => {
    const { reg } = registry();
    const a = reg.source('web-1', '/a.log');
    const b = reg.source('web-2', '/a.log');
    expect(reg.source('web-1', '/a.log')).toBe(a);
    expect([a.num, b.num]).toEqual([1, 2]);
    expect(a.idPrefix).toBe('abc123-1-');
    expect(reg.resolveLineId('abc123-2-4096')).toEqual({ source: b, pos: 4096 });
    for (const id of ['other-2-4096', 'abc123-9-0', 'abc123-2-x', 'abc123-2--1', 'abc123-2', 'nonsense']) {
      expect(reg.resolveLineId(id)).toBeUndefined();
    }
  });

  it('remembers the latest resume point per fileId and keeps only the most recently written ones', () => {
    const { reg } = registry({ resumeFileIdsPerHost: 2 });
    reg.recordTaken('h', 'f1', '/a.log', 10);
    reg.recordTaken('h', 'f2', '/b.log', 20);
    reg.recordTaken('h', 'f1', '/a.log', 30); // f1 is now the most recent
    reg.recordTaken('h', 'f3', '/c.log', 40); // evicts f2
    expect(reg.resumeOffset('h', 'f1')).toBe(30);
    expect(reg.resumeOffset('h', 'f2')).toBeUndefined();
    expect(reg.resumePoints('h')).toEqual([
      { file: '/a.log', fileId: 'f1', offset: 30 },
      { file: '/c.log', fileId: 'f3', offset: 40 },
    ]);
    expect(reg.resumePoints('other')).toEqual([]);
  });

  it('reports agents with their connection state and per-file rates', () => {
    const { reg, clock } = registry();
    reg.agentConnected('web-1');
    const source = reg.source('web-1', '/a.log');
    for (let i = 0; i < 10; i += 1) {
      clock.now += 500;
      reg.noteTaken(source, 100, 50, clock.now);
    }
    expect(source.pos).toBe(1000);
    const [agent] = reg.snapshot();
    expect(agent).toMatchObject({ host: 'web-1', connected: true, files: [{ path: '/a.log', lastTs: clock.now }] });
    // 500 lines over the last ~5 s: about 100 lines/s.
    expect(agent!.files[0]!.linesPerSec).toBeGreaterThan(80);
    expect(agent!.files[0]!.linesPerSec).toBeLessThan(120);
    clock.now += 10_000;
    expect(reg.snapshot()[0]!.files[0]!.linesPerSec).toBe(0);
    reg.agentDisconnected('web-1');
    expect(reg.snapshot()[0]!.connected).toBe(false);
    expect(reg.connectedAgents).toBe(0);
  });

  it('forgets disconnected hosts and silent sources after the configured time', () => {
    const { reg, clock } = registry({ forgetAfterMs: 1000 });
    reg.agentConnected('gone');
    reg.agentConnected('here');
    const gone = reg.source('gone', '/a.log');
    const quiet = reg.source('here', '/quiet.log');
    const busy = reg.source('here', '/busy.log');
    reg.recordTaken('gone', 'f', '/a.log', 1);
    reg.agentDisconnected('gone');
    clock.now += 1001;
    reg.noteTaken(busy, 10, 1, clock.now);
    const forgotten: string[] = [];
    reg.prune((source) => forgotten.push(`${source.host}:${source.file}`));
    expect(forgotten.sort()).toEqual(['gone:/a.log', 'here:/quiet.log']);
    expect(reg.snapshot().map((agent) => [agent.host, agent.files.map((file) => file.path)])).toEqual([['here', ['/busy.log']]]);
    expect(reg.resumePoints('gone')).toEqual([]);
    expect(reg.resolveLineId(`${gone.idPrefix}0`)).toBeUndefined();
    expect(reg.resolveLineId(`${quiet.idPrefix}0`)).toBeUndefined();
  });

  it('hands resume points only to the token that sent the file', () => {
    const { reg } = registry();
    reg.agentConnected('web-1', 'web');
    reg.recordTaken('web-1', 'f1', '/a.log', 100, 'web');
    expect(reg.resumePoints('web-1', 'db')).toEqual([]);
    expect(reg.resumeOffset('web-1', 'f1', 'db')).toBeUndefined();
    expect(reg.resumePoints('web-1', 'web')).toEqual([{ file: '/a.log', fileId: 'f1', offset: 100 }]);
    expect(reg.resumeOffset('web-1', 'f1', 'web')).toBe(100);
    expect(reg.resumePoints('web-1')).toEqual([]);
  });

  it('counts hosts per token and refuses new files over the per-host and per-token limits', () => {
    const { reg } = registry({ maxFilesPerHost: 2, maxFilesPerToken: 3 });
    reg.agentConnected('a', 'fleet');
    reg.agentConnected('b', 'fleet');
    reg.agentConnected('c', 'other');
    expect(reg.hostCountOf('fleet')).toBe(2);
    expect(reg.hasHostOf('a', 'fleet')).toBe(true);
    expect(reg.hasHostOf('a', 'other')).toBe(false);
    reg.source('a', '/1.log');
    reg.source('a', '/2.log');
    expect(reg.newSourceProblem('a', '/2.log')).toBeUndefined();
    expect(reg.newSourceProblem('a', '/3.log')).toMatch(/host "a" already has 2 files.*maxFilesPerAgentHost/);
    expect(reg.newSourceProblem('b', '/1.log')).toBeUndefined();
    reg.source('b', '/1.log');
    expect(reg.newSourceProblem('b', '/2.log')).toMatch(/already have 3 files.*maxFilesPerAgentToken/);
    expect(reg.newSourceProblem('c', '/1.log')).toBeUndefined();
  });
});
