import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResults, readHistory } from '../../../bench/lib/result-files.js';

function result(benchmark: string, startedAt: string) {
  return {
    benchmark,
    startedAt,
    durationSec: 1.5,
    system: { cpus: 2, loadAvgStart: [0.5, 0.4, 0.3], loadAvgEnd: [0.6, 0.4, 0.3] },
    figures: [{ label: 'p99', value: 8.5, unit: 'ms', better: 'lower', baseline: 'tail -F | grep', baselineValue: 2, ratio: 4.25 }],
    targets: [{ target: 'p99 (ms)', value: 8.5, limit: 10, met: true }],
    details: { runs: [1, 2] },
  };
}

describe('parseResults', () => {
  it('reads one result, keeping what runs are compared by', () => {
    const [parsed] = parseResults(JSON.stringify(result('live', '2026-11-27T18:00:00.000Z')), 'a.json');
    expect(parsed).toEqual({
      benchmark: 'live',
      startedAt: '2026-11-27T18:00:00.000Z',
      system: { loadAvgStart: [0.5, 0.4, 0.3], loadAvgEnd: [0.6, 0.4, 0.3] },
      figures: [{ label: 'p99', value: 8.5, unit: 'ms', better: 'lower' }],
      targets: [{ target: 'p99 (ms)', value: 8.5, limit: 10, met: true }],
    });
  });

  it('reads a latest.json summary as its results', () => {
    const summary = { updatedAt: '2026-11-27T18:10:00.000Z', results: { live: result('live', '2026-11-27T18:00:00.000Z'), engine: result('engine', '2026-11-27T18:05:00.000Z') } };
    expect(parseResults(JSON.stringify(summary), 'latest.json').map((each) => each.benchmark)).toEqual(['live', 'engine']);
  });

  it('names the file and the problem for text that is not JSON or not a result', () => {
    expect(() => parseResults('{"benchmark": ', 'cut.json')).toThrow(/^cut\.json: not JSON/);
    const wrong = { ...result('live', '2026-11-27T18:00:00.000Z'), figures: [{ label: 'p99', value: '8', unit: 'ms', better: 'lower' }] };
    expect(() => parseResults(JSON.stringify(wrong), 'old.json')).toThrow(/^old\.json: not a benchmark result or summary \(.* at figures\.0\.value\)$/);
  });
});

describe('readHistory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads every run file oldest first, leaves latest.json out and reports files it cannot use', () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-results-'));
    writeFileSync(join(dir, 'live-b.json'), JSON.stringify(result('live', '2026-11-27T18:05:00.000Z')));
    writeFileSync(join(dir, 'live-a.json'), JSON.stringify(result('live', '2026-11-27T18:00:00.000Z')));
    writeFileSync(join(dir, 'latest.json'), JSON.stringify({ results: { live: result('live', '2026-11-27T18:05:00.000Z') } }));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'notes.txt'), 'not a result');
    const { results, skipped } = readHistory(dir);
    expect(results.map((each) => each.startedAt)).toEqual(['2026-11-27T18:00:00.000Z', '2026-11-27T18:05:00.000Z']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/broken\.json: not JSON/);
  });
});
