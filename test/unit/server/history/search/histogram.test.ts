import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../../../server/filter/filter-compiler.js';
import { runHistogram } from '../../../../../server/history/search/histogram.js';
import { TimeSlicer } from '../../../../../server/history/search/time-slicer.js';
import { MemoryHistory } from '../../../../helpers/memory-history.js';

describe('runHistogram', () => {
  it('counts matching lines per step-aligned bucket, both ends included, across sources', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    const db = history.source('db-1', 'b.log');
    history.append(web, 1_049, ['error before from']);
    history.append(web, 1_050, ['error at from', 'info']);
    history.seal(web);
    history.append(db, 1_099, ['error end of first bucket']);
    history.append(web, 1_100, ['error', 'error']);
    history.append(db, 1_250, ['error at to']);
    history.append(db, 1_251, ['error after to']);
    const answer = await runHistogram({ filter: compileFilter({ query: 'error' }), from: 1_050, to: 1_250, step: 100 }, { reader: history, slicer: new TimeSlicer(5) });
    expect(answer).toEqual({
      from: 1_050,
      to: 1_250,
      step: 100,
      buckets: [
        { ts: 1_000, count: 2 },
        { ts: 1_100, count: 2 },
        { ts: 1_200, count: 1 },
      ],
      partial: false,
    });
  });

  it('skips a corrupt block and says the counts are partial', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    history.append(web, 10, ['x']);
    history.seal(web);
    history.append(web, 20, ['x']);
    history.corrupt.add(history.allBlocks()[0]!);
    const answer = await runHistogram({ filter: compileFilter({ query: 'x' }), from: 0, to: 29, step: 10 }, { reader: history, slicer: new TimeSlicer(5) });
    expect(answer.buckets.map((bucket) => bucket.count)).toEqual([0, 0, 1]);
    expect(answer.partial).toBe(true);
  });

  it('stops when cancelled', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (let i = 0; i < 20; i += 1) {
      history.append(web, i, ['x']);
      history.seal(web);
    }
    const controller = new AbortController();
    const answer = runHistogram({ filter: compileFilter({ query: 'x' }), from: 0, to: 19, step: 1 }, { reader: history, slicer: new TimeSlicer(0), signal: controller.signal });
    setImmediate(() => controller.abort(new Error('gone')));
    await expect(answer).rejects.toThrow('gone');
    expect(history.reads).toBeLessThan(20);
  });
});
