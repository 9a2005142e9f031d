import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { Deploy, Histogram, SearchErrorRecord, SearchRecord } from '../../../protocol/index.js';
import type { Logger } from '../../../lib/logger.js';
import { ApiFailure, route } from '../../api/api-failure.js';
import type { ApiMount } from '../../api/api-router.js';
import type { HistoryReader } from '../history-reader.js';
import type { EventTimeOf } from './block-scan.js';
import { runHistogram, type HistogramRequest } from './histogram.js';
import { runSearch, type SearchRequest } from './search-executor.js';
import { parseHistogramQuery, parseSearchQuery } from './search-query.js';
import { SearchSlots } from './search-slots.js';
import { TimeSlicer } from './time-slicer.js';
import { withDeployRecords } from '../../deploys/deploy-replay.js';

/** Longest a search works before letting ingest and viewers have the event loop. */
const SLICE_MS = 5;

/** What this hub's searches run with; other hubs' searches of this hub run with the same. */
export interface LocalSearch {
  reader: HistoryReader;
  slicer: TimeSlicer;
  slots: SearchSlots;
  eventTimeOf?: EventTimeOf | undefined;
}

/** Search across the hubs of a cluster (server/cluster/peer-search.ts). */
export interface PeerSearch {
  /** Answers other hubs' searches with this hub's history. */
  serve(local: LocalSearch): void;
  /** This hub's matches merged with every other hub's, in order; failures make the done record partial. */
  search(request: SearchRequest, local: LocalSearch, signal: AbortSignal): AsyncGenerator<SearchRecord>;
  /** Buckets summed over every hub. */
  histogram(request: HistogramRequest, local: LocalSearch, signal: AbortSignal): Promise<Histogram>;
}

export interface SearchRoutesDeps {
  /** The hub's history; absent when history is off, and then both routes answer 404. */
  history?: HistoryReader | undefined;
  /** Parses the time a line states (lib/event-time); absent: a line's time is when it was read. */
  eventTimeOf?: EventTimeOf | undefined;
  logger: Logger;
  /** The hub's clock: `from=2h` means two hours before it. */
  now(): number;
  /** Shared by every search of the hub; tests pass their own. */
  slicer?: TimeSlicer;
  slots?: SearchSlots;
  /** With several hubs (--nats): searches ask every other hub too. */
  peers?: PeerSearch | undefined;
  /** Deploy markers that started in [from, to], oldest first: sent among the matches. */
  deploysBetween?: ((from: number, to: number) => Deploy[]) | undefined;
}

function historyOf(deps: SearchRoutesDeps): HistoryReader {
  if (deps.history === undefined) throw new ApiFailure(404, 'SG_ERR_NOT_FOUND', 'history is off on this hub');
  return deps.history;
}

/** Who a request counts against for the per-viewer cap: the token's name, else the client address. */
function viewerOf(req: Request, res: Response): string {
  const name = res.locals.viewer as string | undefined;
  return name === undefined ? `address ${req.ip ?? req.socket.remoteAddress ?? '?'}` : `name ${name}`;
}

/** A slot for this request, or a 429 SG_ERR_LIMIT; the slot and an abort signal end with the response. */
function begin(slots: SearchSlots, req: Request, res: Response): AbortSignal {
  const slot = slots.acquire(viewerOf(req, res));
  if ('refused' in slot) throw new ApiFailure(429, 'SG_ERR_LIMIT', slot.refused);
  const controller = new AbortController();
  // 'close' comes when the answer is complete or the client went away: either way the scan stops.
  res.once('close', () => {
    slot.release();
    controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}

/**
 * GET /api/search (NDJSON stream of SearchRecord) and GET /api/search/histogram (JSON Histogram),
 * for viewers. Parameters and records are described in docs/protocol.md.
 */
export function searchRoutes(deps: SearchRoutesDeps): ApiMount {
  const { logger } = deps;
  const slicer = deps.slicer ?? new TimeSlicer(SLICE_MS);
  const slots = deps.slots ?? new SearchSlots();
  const { peers } = deps;
  const localOf = (reader: HistoryReader): LocalSearch => ({ reader, slicer, slots, eventTimeOf: deps.eventTimeOf });
  if (deps.history !== undefined) peers?.serve(localOf(deps.history));
  return (router) => {
    router.get(
      '/search/histogram',
      route(logger, async (req, res) => {
        const reader = historyOf(deps);
        const request = parseHistogramQuery(req.query, deps.now());
        const signal = begin(slots, req, res);
        try {
          const local = localOf(reader);
          res.json(await (peers ? peers.histogram(request, local, signal) : runHistogram(request, { ...local, signal })));
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
      }),
    );

    router.get(
      '/search',
      route(logger, async (req, res) => {
        const reader = historyOf(deps);
        const request = parseSearchQuery(req.query, deps.now());
        const signal = begin(slots, req, res);
        res.status(200).set({ 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
        const write = corkedWriter(res);
        try {
          const local = localOf(reader);
          const matches = peers ? peers.search(request, local, signal) : runSearch(request, { ...local, signal });
          const records = deps.deploysBetween ? withDeployRecords(matches, request, deps.deploysBetween, deps.now()) : matches;
          for await (const record of records) {
            if (!write(record)) await once(res, 'drain', { signal });
          }
        } catch (err) {
          if (signal.aborted) return;
          logger.error({ err, path: req.originalUrl }, 'search failed');
          const record: SearchErrorRecord = { type: 'error', code: 'SG_ERR_INTERNAL', message: 'the search failed on the hub; see its log' };
          write(record);
        }
        res.end();
      }),
    );
  };
}

/**
 * Writes records as NDJSON, gathered into one write per run of the scan: the response is corked
 * at the first record and uncorked once the current slice of work yields.
 */
function corkedWriter(res: Response): (record: SearchRecord) => boolean {
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  return (record) => {
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(uncork);
    }
    return res.write(`${JSON.stringify(record)}\n`);
  };
}
