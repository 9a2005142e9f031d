import type { LogLine } from '../../protocol/index.js';
import type { Backlog, StoredBatch } from '../backlog/backlog.js';
import { contextLines } from '../backlog/backlog-queries.js';
import { HeldMemory } from '../backlog/held-memory.js';
import { SourceRing } from '../backlog/backlog.js';
import type { Source } from '../ingest/source-registry.js';
import type { HistoryStore } from './history-store.js';

/**
 * Context for a line older than the backlog (or of a source the registry has forgotten), read from
 * history; undefined when history does not hold it either.
 */
export function historyContext(store: HistoryStore, id: string, before: number, after: number): LogLine[] | undefined {
  const resolved = store.resolveLineId(id);
  if (!resolved) return undefined;
  const ring = new SourceRing(resolved.source, new HeldMemory());
  let end = -1;
  for (const batch of store.batchesAround(resolved.source.num, resolved.pos)) {
    // Blocks may overlap nothing and leave gaps; a ring needs its batches in position order.
    if (batch.firstPos < end) continue;
    ring.push({ ...batch, seq: 0 });
    end = batch.firstPos + batch.body.length;
  }
  return contextLines(ring, resolved.pos, before, after);
}

/**
 * Refills the in-memory backlog after a restart from the newest history of each source that wrote
 * since `sinceMs`, up to `bytesPerSource` each. Sources get their registry entries (and numbers)
 * from `source`. Batches are numbered in time order before any live batch (negative arrival numbers).
 */
export function refillBacklog(store: HistoryStore, backlog: Backlog, source: (host: string, file: string) => Source, bytesPerSource: number, sinceMs: number): number {
  const refills: { source: Source; batch: Omit<StoredBatch, 'seq'> }[] = [];
  for (const known of store.knownSources()) {
    if (known.lastSealedMs === undefined || known.lastSealedMs < sinceMs) continue;
    const batches = store.newestBatches(known.source.num, bytesPerSource);
    if (batches.length === 0) continue;
    const target = source(known.source.host, known.source.file);
    for (const batch of batches) refills.push({ source: target, batch });
  }
  // Arrival numbers by time across sources; each ring still gets its batches in position order.
  const seqs = new Array<number>(refills.length);
  [...refills.keys()].sort((a, b) => refills[a]!.batch.ts - refills[b]!.batch.ts).forEach((at, rank) => (seqs[at] = rank - refills.length));
  refills.forEach(({ source: target, batch }, i) => backlog.append(target, { ...batch, seq: seqs[i]! }));
  return refills.length;
}
