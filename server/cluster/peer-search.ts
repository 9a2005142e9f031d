import { randomUUID } from 'node:crypto';
import type { Msg, Subscription } from '@nats-io/transport-node';
import {
  peerHistogramChunkSchema,
  peerHistogramQuerySchema,
  peerSearchChunkSchema,
  peerSearchQuerySchema,
  peerSearchStopSchema,
  type PeerHistogramChunk,
  type PeerHistogramQuery,
  type PeerSearchQuery,
} from '../../protocol/hub-to-hub/index.js';
import { SEARCH_LIMITS, type Histogram, type MatchedLine, type SearchDoneRecord, type SearchHubFailure, type SearchProgressRecord, type SearchRecord } from '../../protocol/index.js';
import { FilterError, compileFilter } from '../filter/filter-compiler.js';
import { bucketCount, runHistogram, type HistogramRequest } from '../history/search/histogram.js';
import { clusterKeyOf, encodeCursor, hubShare, type ClusterKey } from '../history/search/line-key.js';
import { runSearch, type SearchRequest } from '../history/search/search-executor.js';
import type { LocalSearch, PeerSearch } from '../history/search/search-routes.js';
import { SearchMerge } from './search-merge.js';
import { AnswerStream, Gather, KEEP_ALIVE_MS, type GatherDeps } from './search-streams.js';
import { HISTOGRAM_SUBJECT, SEARCH_STOP_SUBJECT, SEARCH_SUBJECT } from './subjects.js';

export interface PeerSearchDeps extends GatherDeps {
  /** The other hubs alive now (Presence). */
  peers(): string[];
  /** Hubs that went silent lately without leaving: not asked, but named as missing. */
  lost(): Array<{ hubId: string; seenMs: number }>;
}

/** How often the merged stream reports progress. */
const PROGRESS_INTERVAL_MS = 250;

function failureOf(err: unknown): { code: string; message: string } {
  if (err instanceof FilterError) return { code: err.code, message: err.message };
  return { code: 'SG_ERR_INTERNAL', message: 'the search failed on that hub; see its log' };
}

/**
 * History search and histograms across the hubs of a cluster, over NATS. The hub a viewer asks
 * runs the search on its own history and asks every other hub alive (`sg.search`); each scans its
 * own history the same way (same time slices, same slot limits) and streams its matches back. The
 * streams are merged in the cluster's order (SearchMerge). A hub that is silent for `timeoutMs`, or
 * answers with an error, is named in the done record's `failures`, and the page is partial.
 */
export class ClusterSearch implements PeerSearch {
  private readonly subscriptions: Subscription[] = [];
  /** Searches this hub runs for others, by `${asker} ${id}`. */
  private readonly answering = new Map<string, AbortController>();
  private local: LocalSearch | undefined;

  constructor(private readonly deps: PeerSearchDeps) {
    const { nc } = deps.link;
    this.subscriptions.push(
      nc.subscribe(SEARCH_SUBJECT, { callback: (err, msg) => void (err || this.answerSearch(msg)) }),
      nc.subscribe(HISTOGRAM_SUBJECT, { callback: (err, msg) => void (err || this.answerHistogram(msg)) }),
      nc.subscribe(SEARCH_STOP_SUBJECT, {
        callback: (err, msg) => {
          if (err) return;
          const stop = peerSearchStopSchema.safeParse(safeJson(msg));
          if (stop.success) this.answering.get(`${stop.data.from} ${stop.data.id}`)?.abort(new Error('the asking hub stopped the search'));
        },
      }),
    );
  }

  serve(local: LocalSearch): void {
    this.local = local;
  }

  private maxChunkBytes(): number {
    return Math.floor((this.deps.link.nc.info?.max_payload ?? 1024 * 1024) / 2);
  }

  /** A slot and an abort signal for another hub's request, or the error to answer with. */
  private begin(from: string, id: string): { local: LocalSearch; signal: AbortSignal; release(): void } | { code: string; message: string } {
    const local = this.local;
    if (local === undefined) return { code: 'SG_ERR_NOT_FOUND', message: 'history is off on that hub' };
    // Counted against the hub-wide cap only: the asking hub already held its viewer to the per-viewer one.
    const slot = local.slots.acquire(`hub ${from} search ${id}`);
    if ('refused' in slot) return { code: 'SG_ERR_LIMIT', message: slot.refused };
    const key = `${from} ${id}`;
    const controller = new AbortController();
    this.answering.set(key, controller);
    return {
      local,
      signal: controller.signal,
      release: () => {
        slot.release();
        this.answering.delete(key);
      },
    };
  }

  private async answerSearch(msg: Msg): Promise<void> {
    if (!msg.reply) return;
    const parsed = peerSearchQuerySchema.safeParse(safeJson(msg));
    if (!parsed.success || parsed.data.from === this.deps.hubId) return;
    const query: PeerSearchQuery = parsed.data;
    const stream = new AnswerStream(this.deps.link, msg.reply, this.deps.hubId, this.maxChunkBytes());
    const run = this.begin(query.from, query.id);
    if ('code' in run) {
      stream.end({ error: run });
      return;
    }
    try {
      const [time, hub, num, pos] = query.after ?? [];
      const cursor = query.after && hubShare({ time: time!, hub: hub!, num: num!, pos: pos! }, this.deps.hubId);
      const request: SearchRequest = { filter: compileFilter(query.filter), window: query.window, order: query.order, limit: query.limit, cursor };
      let done: SearchDoneRecord | undefined;
      for await (const record of runSearch(request, { ...run.local, signal: run.signal })) {
        if (record.type === 'match') stream.push(record.line);
        else if (record.type === 'progress') stream.progress(record.scannedBytes, record.totalBytes);
        else if (record.type === 'done') done = record;
      }
      stream.end({ more: done?.cursor !== undefined, ...(done?.corruptBlocks ? { corruptBlocks: done.corruptBlocks } : {}) });
    } catch (err) {
      if (run.signal.aborted) stream.end({ more: true });
      else {
        this.deps.logger.warn({ err, from: query.from }, 'could not answer a search from another hub');
        stream.end({ error: failureOf(err) });
      }
    } finally {
      run.release();
    }
  }

  private async answerHistogram(msg: Msg): Promise<void> {
    if (!msg.reply) return;
    const parsed = peerHistogramQuerySchema.safeParse(safeJson(msg));
    if (!parsed.success || parsed.data.from === this.deps.hubId) return;
    const query: PeerHistogramQuery = parsed.data;
    let seq = 0;
    const send = (fields: Partial<PeerHistogramChunk>, last: boolean) => {
      const chunk: PeerHistogramChunk = { hub: this.deps.hubId, seq: seq++, last, ...fields };
      if (this.deps.link.connected) this.deps.link.nc.publish(msg.reply!, JSON.stringify(chunk));
    };
    const run = this.begin(query.from, query.id);
    if ('code' in run) {
      send({ error: run }, true);
      return;
    }
    const keepAlive = setInterval(() => send({}, false), KEEP_ALIVE_MS);
    try {
      if (bucketCount(query.start, query.end, query.step) > SEARCH_LIMITS.maxHistogramBuckets) throw new FilterError('SG_ERR_LIMIT', 'too many buckets');
      const request: HistogramRequest = { filter: compileFilter(query.filter), from: query.start, to: query.end, step: query.step };
      const histogram = await runHistogram(request, { ...run.local, signal: run.signal });
      clearInterval(keepAlive);
      send({ counts: histogram.buckets.map((bucket) => bucket.count), partial: histogram.partial }, true);
    } catch (err) {
      clearInterval(keepAlive);
      if (!run.signal.aborted) {
        this.deps.logger.warn({ err, from: query.from }, 'could not answer a histogram from another hub');
        send({ error: failureOf(err) }, true);
      }
    } finally {
      run.release();
    }
  }

  /** The other hubs to ask now: none while NATS is down (their lines are then missing, and said to be). */
  private askable(): { hubs: string[]; unreachable: SearchHubFailure[] } {
    const peers = this.deps.peers();
    const lost = this.deps.lost().map(({ hubId, seenMs }) => ({ hubId, reason: `not heard from since ${new Date(seenMs).toISOString()}` }));
    if (this.deps.link.connected) return { hubs: peers, unreachable: lost };
    return { hubs: [], unreachable: [...peers.map((hubId) => ({ hubId, reason: 'this hub is not connected to NATS' })), ...lost] };
  }

  async *search(request: SearchRequest, local: LocalSearch, signal: AbortSignal): AsyncGenerator<SearchRecord> {
    const { hubId } = this.deps;
    const { hubs, unreachable } = this.askable();
    const merge = new SearchMerge(request.order, request.limit, [hubId, ...hubs, ...unreachable.map((failure) => failure.hubId)]);
    for (const failure of unreachable) merge.fail(failure.hubId, failure.reason);
    const cursor: ClusterKey | undefined = request.cursor && ('hub' in request.cursor ? (request.cursor as ClusterKey) : { ...request.cursor, hub: hubId });

    let dirty = false;
    let wake: (() => void) | undefined;
    const changed = () => {
      dirty = true;
      wake?.();
    };
    const keyed = (hub: string, lines: readonly MatchedLine[]) =>
      lines.map((line) => ({ key: { ...(clusterKeyOf(line) ?? { time: line.eventTs ?? line.ts, num: 0, pos: 0 }), hub }, line }));

    const id = randomUUID();
    const gather =
      hubs.length === 0
        ? undefined
        : new Gather(this.deps, id, 'search', hubs, {
            chunk: (hub, body) => {
              const chunk = peerSearchChunkSchema.parse(body);
              if (!merge.add(hub, keyed(hub, chunk.lines))) throw new Error('lines out of order');
              merge.progress(hub, chunk.scannedBytes, chunk.totalBytes);
              if (!chunk.last) return false;
              merge.corruptBlocks += chunk.corruptBlocks ?? 0;
              if (chunk.error) merge.fail(hub, `${chunk.error.code}: ${chunk.error.message}`);
              else merge.end(hub, chunk.more ?? false);
              return true;
            },
            fail: (hub, reason) => merge.fail(hub, reason),
            changed,
          });
    if (gather) {
      const query: PeerSearchQuery = { from: hubId, id, filter: request.filter.spec, window: request.window, order: request.order, limit: request.limit };
      if (cursor) query.after = [cursor.time, cursor.hub, cursor.num, cursor.pos];
      this.deps.link.nc.publish(SEARCH_SUBJECT, JSON.stringify(query), { reply: gather.inbox });
    }

    // This hub's own share, run alongside; it stops once the page is full or the viewer left.
    const localAbort = new AbortController();
    const stopLocal = () => {
      localAbort.abort(signal.reason);
      changed();
    };
    signal.addEventListener('abort', stopLocal, { once: true });
    const localRun = (async () => {
      const localRequest: SearchRequest = { ...request, cursor: cursor && hubShare(cursor, hubId) };
      for await (const record of runSearch(localRequest, { ...local, signal: localAbort.signal })) {
        if (record.type === 'match') merge.add(hubId, keyed(hubId, [record.line]));
        else if (record.type === 'progress') merge.progress(hubId, record.scannedBytes, record.totalBytes);
        else if (record.type === 'done') {
          merge.corruptBlocks += record.corruptBlocks ?? 0;
          merge.end(hubId, record.cursor !== undefined);
        }
        changed();
        if (merge.finished) break;
      }
    })().catch((err: unknown) => {
      if (!localAbort.signal.aborted) {
        this.deps.logger.error({ err }, 'search of this hub\u2019s history failed');
        merge.fail(hubId, 'the search failed on this hub; see its log');
      }
      changed();
    });

    const progress = (): SearchProgressRecord => ({ type: 'progress', ...merge.totals() });
    let lastProgress = performance.now();
    try {
      yield progress();
      for (;;) {
        signal.throwIfAborted();
        for (const line of merge.take()) yield { type: 'match', line };
        if (merge.finished) break;
        if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = performance.now();
          yield progress();
        }
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        dirty = false;
      }
    } finally {
      gather?.close();
      localAbort.abort(new Error('the page is complete'));
      signal.removeEventListener('abort', stopLocal);
      await localRun;
    }
    yield progress();
    const failures = merge.failures;
    const done: SearchDoneRecord = { type: 'done', count: merge.count, partial: failures.length > 0 || merge.corruptBlocks > 0 };
    const next = merge.cursor();
    if (next) done.cursor = encodeCursor(next);
    if (failures.length > 0) done.failures = [...failures];
    if (merge.corruptBlocks > 0) done.corruptBlocks = merge.corruptBlocks;
    yield done;
  }

  async histogram(request: HistogramRequest, local: LocalSearch, signal: AbortSignal): Promise<Histogram> {
    const { hubs, unreachable } = this.askable();
    const failures: SearchHubFailure[] = [...unreachable];
    const answers: number[][] = [];
    let partial = false;
    const id = randomUUID();
    let pending = hubs.length;
    let settled: () => void = () => undefined;
    const allSettled = new Promise<void>((resolve) => (settled = resolve));
    const count = () => {
      pending -= 1;
      if (pending === 0) settled();
    };
    const expected = bucketCount(request.from, request.to, request.step);
    const gather =
      hubs.length === 0
        ? undefined
        : new Gather(this.deps, id, 'histogram', hubs, {
            chunk: (hub, body) => {
              const chunk = peerHistogramChunkSchema.parse(body);
              if (!chunk.last) return false;
              if (chunk.error) failures.push({ hubId: hub, reason: `${chunk.error.code}: ${chunk.error.message}` });
              else if (chunk.counts?.length !== expected) failures.push({ hubId: hub, reason: 'it answered with other buckets' });
              else {
                answers.push(chunk.counts);
                partial ||= chunk.partial ?? false;
              }
              count();
              return true;
            },
            fail: (hubId, reason) => {
              failures.push({ hubId, reason });
              count();
            },
            changed: () => undefined,
          });
    if (gather) {
      const query: PeerHistogramQuery = { from: this.deps.hubId, id, filter: request.filter.spec, start: request.from, end: request.to, step: request.step };
      this.deps.link.nc.publish(HISTOGRAM_SUBJECT, JSON.stringify(query), { reply: gather.inbox });
    } else settled();
    try {
      const own = await runHistogram(request, { ...local, signal });
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      await Promise.race([allSettled, aborted]);
      const buckets = own.buckets.map((bucket, index) => ({ ts: bucket.ts, count: answers.reduce((sum, counts) => sum + counts[index]!, bucket.count) }));
      const histogram: Histogram = { from: own.from, to: own.to, step: own.step, buckets, partial: own.partial || partial || failures.length > 0 };
      if (failures.length > 0) histogram.failures = failures;
      return histogram;
    } finally {
      gather?.close();
    }
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const controller of this.answering.values()) controller.abort(new Error('the hub is closing'));
  }
}

function safeJson(msg: Msg): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
}
