import { describe, expect, it } from 'vitest';
import { TimeSlicer } from '../../../../server/history/search/time-slicer.js';
import type { PinRateBucket } from '../../../../server/pins/pin-counter.js';
import { backfillPin, type PinSeam } from '../../../../server/pins/pin-backfill.js';
import { MemoryHistory } from '../../../helpers/memory-history.js';

/** A 10 s bucket boundary. */
const T0 = 1_764_190_000_000;
const HOUR_MS = 60 * 60_000;

function endsOf(history: MemoryHistory): Map<number, number> {
  const ends = new Map<number, number>();
  for (const block of history.allBlocks()) ends.set(block.source.num, Math.max(ends.get(block.source.num) ?? 0, block.endPos));
  return ends;
}

async function backfill(history: MemoryHistory, seam: PinSeam, query = 'ERROR') {
  const written: PinRateBucket[] = [];
  const countedFrom = await backfillPin(
    {
      history: { reader: history, streamEnds: () => endsOf(history), slicer: new TimeSlicer(5) },
      counter: { bucketMs: 10_000, backfill: (_pinId, buckets) => void written.push(...buckets.filter((bucket) => bucket.count > 0)) },
      retentionMs: HOUR_MS,
    },
    'pin-1',
    { query },
    seam,
    new AbortController().signal,
  );
  return { written, countedFrom };
}

describe('backfillPin: the seam between history and live counting', () => {
  it('counts the lines taken before the seam, in their buckets, and none taken after it, whatever time they state', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', '/var/log/app.log');
    history.append(web, T0 - 30_000 + 100, ['ERROR a', 'INFO a', 'ERROR b']);
    history.seal(web);
    history.append(web, T0 + 2_000, ['ERROR c']);
    // The seam falls inside the bucket [T0, T0 + 10 s).
    const seam: PinSeam = { at: T0 + 5_000, ends: endsOf(history) };
    // Taken after the seam (counted live) though read before it: same open block, and a new source.
    history.append(web, T0 + 3_000, ['ERROR late', 'ERROR late']);
    history.append(history.source('web-2', '/var/log/app.log'), T0 + 1_000, ['ERROR other']);

    const { written, countedFrom } = await backfill(history, seam);
    expect(written).toEqual([
      { ts: T0 - 30_000, count: 2 },
      { ts: T0, count: 1 },
    ]);
    expect(countedFrom).toBe(T0 - 30_000 + 100);
  });

  it('fills whole buckets of the retention window and nothing stated after the seam', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', '/var/log/app.log');
    history.append(web, T0 - HOUR_MS - 20_000, ['ERROR too old']);
    history.append(web, T0 - HOUR_MS + 1_000, ['ERROR oldest kept']);
    history.append(web, T0 + 20_000, ['ERROR stated after the seam']);
    const seam: PinSeam = { at: T0 + 5_000, ends: endsOf(history) };
    const { written, countedFrom } = await backfill(history, seam);
    // The oldest bucket is the one holding seam - retention, whole.
    expect(written).toEqual([{ ts: T0 - HOUR_MS, count: 1 }]);
    expect(countedFrom).toBe(T0 - HOUR_MS);
  });

  it('says the counts begin at the seam when history holds nothing before it', async () => {
    const history = new MemoryHistory();
    const { written, countedFrom } = await backfill(history, { at: T0, ends: new Map() });
    expect(written).toEqual([]);
    expect(countedFrom).toBe(T0);
  });
});
