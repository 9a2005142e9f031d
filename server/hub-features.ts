import type { DeployEvent, PinEvent, VerdictsEvent } from '../protocol/index.js';
import type { Logger } from '../lib/logger.js';
import type { ApiMount } from './api/api-router.js';
import { startAlerts } from './alerts/alerts.js';
import { captureRoutes } from './captures/capture-routes.js';
import type { SharedRecords } from './cluster/cluster.js';
import type { HubConfig } from './config.js';
import { deploysBetween } from './deploys/deploy-replay.js';
import { deployRoutes } from './deploys/deploy-routes.js';
import { LogThrottle } from '../lib/log-throttle.js';
import type { MatchRouter } from './filter/match-router.js';
import type { HubMetrics } from './metrics.js';
import type { Redactor } from '../lib/redaction/redactor.js';
import { PinCounter } from './pins/pin-counter.js';
import { backfillPin, type PinHistory } from './pins/pin-backfill.js';
import { pinRoutes } from './pins/pin-routes.js';
import { PinTracker } from './pins/pin-tracker.js';
import { StatsdSink } from './pins/statsd-sink.js';
import { parseStatsdTarget } from './pins/statsd-target.js';
import { CaptureStore } from './storage/capture-store.js';
import type { Db } from './storage/database.js';
import { DeployStore } from './storage/deploy-store.js';
import { PinStore } from './storage/pin-store.js';
import type { CaptureRecords, DeployRecords } from './storage/record-stores.js';
import { VerdictBoard } from './verdicts/verdict-board.js';
import { verdictRoutes } from './verdicts/verdict-routes.js';

/**
 * (pin, 10 s bucket) counts kept in memory while the database refuses writes: 200 pins for more
 * than an hour, a few MB. Beyond it the oldest bucket is given up and counted in
 * supergrep_pin_counts_dropped_total.
 */
const MAX_UNFLUSHED_PIN_BUCKETS = 100_000;
/** How often counts past the retention are deleted (an indexed delete; cheap). */
const PIN_PRUNE_INTERVAL_MS = 60_000;
/** A database that keeps refusing counts is logged at most this often. */
const FLUSH_ERROR_LOG_INTERVAL_MS = 60_000;

export interface HubFeaturesDeps {
  config: HubConfig;
  logger: Logger;
  /** Owned from here on: closed by `close()`. */
  db: Db;
  router: MatchRouter;
  metrics: HubMetrics;
  /** Sends a message to every viewer (ViewerEndpoint.broadcast). */
  broadcast(message: PinEvent | DeployEvent | VerdictsEvent): void;
  /** The hub's clock: pin buckets and the creation time of pins, deploys and captures. */
  now(): number;
  /** Replaces secrets in captured lines before they are saved; absent: redaction is off. */
  redactor?: Pick<Redactor, 'redactLine'> | undefined;
  /**
   * With --nats: pins, deploys, captures and pin counts in JetStream, shared by every hub, instead
   * of the SQLite database (which is then left unused).
   */
  shared?: SharedRecords | undefined;
  /** This hub's history (absent with history off): a new pin's buckets before its creation are filled from it. */
  history?: PinHistory | undefined;
}

export interface HubFeatures {
  apiMounts: ApiMount[];
  /** The hub listens at `url` (the base of alert links without `publicUrl`). */
  listening(url: string): void;
  /** Deploy markers (SQLite, or shared in a cluster): replayed with backlogs and searches. */
  deploys: DeployRecords;
  /** Stops reading history for pin backfills (before the history closes); the pins go on counting. */
  stopBackfills(): void;
  /** Stops alerts and counting, writes the last counts, closes StatsD and the database. */
  close(): Promise<void>;
}

/**
 * Pins, deploy markers and captures: the hub's persistent features, on one SQLite database in
 * the data directory. Loads the pins and starts counting them at once; throws when the stored pins
 * cannot be read (the caller closes the database).
 */
export function startHubFeatures(deps: HubFeaturesDeps): HubFeatures {
  const { config, logger, db, metrics, now, shared } = deps;
  const pinStore = new PinStore(db);
  const deployStore: DeployRecords = shared?.deploys ?? new DeployStore(db);
  const captureStore: CaptureRecords = shared?.captures ?? new CaptureStore(db);
  const counter = new PinCounter({
    store: pinStore,
    now,
    retentionMs: config.pinRetentionMs,
    maxUnflushedBuckets: MAX_UNFLUSHED_PIN_BUCKETS,
    onDropped: (matches) => metrics.pinCountsDropped.inc(matches),
  });
  const pinCounts = shared?.counts ?? counter;
  // Verdicts follow every pin and deploy event the hub tells its viewers, from here or another hub.
  let verdicts: VerdictBoard | undefined;
  const broadcast = (event: PinEvent | DeployEvent): void => {
    deps.broadcast(event);
    verdicts?.observe(event);
  };
  const statsdTarget = config.statsd === undefined ? undefined : parseStatsdTarget(config.statsd);
  const statsd =
    statsdTarget &&
    new StatsdSink({
      target: statsdTarget,
      prefix: config.statsdPrefix,
      flushIntervalMs: config.statsdFlushIntervalMs,
      logger,
      onError: () => metrics.statsdErrors.inc(),
    });
  const pins = new PinTracker({
    store: shared?.pins ?? pinStore,
    router: deps.router,
    counter: pinCounts,
    countsSource: shared?.countsSource,
    metrics,
    statsd,
    broadcast,
    logger,
    maxPins: config.maxPins,
    now,
    history: deps.history && {
      streamEnds: deps.history.streamEnds,
      backfill: (pinId, spec, seam, signal) =>
        backfillPin({ history: deps.history!, counter: shared?.counts ?? counter, retentionMs: config.pinRetentionMs }, pinId, spec, seam, signal),
    },
  });
  try {
    pins.start();
  } catch (cause) {
    pins.close();
    void statsd?.close();
    throw new Error('load the stored pins', { cause });
  }
  // Pins and deploys created through other hubs: this hub counts them and tells its viewers.
  shared?.pins.watch({ created: (pin) => pins.adopt(pin), deleted: (id) => pins.drop(id) });
  shared?.deploys.watch((deploy) => broadcast({ type: 'deploy', deploy }));
  verdicts = new VerdictBoard({
    deploys: deployStore,
    pins,
    counter: pinCounts,
    settings: { windowMs: config.verdictWindowMs, baselineMs: config.verdictBaselineMs, alpha: config.verdictAlpha },
    retentionMs: config.pinRetentionMs,
    broadcast: deps.broadcast,
    logger,
    now,
  });
  verdicts.start();

  const alerts = startAlerts({
    webhooks: config.webhooks,
    defaultAlerts: config.defaultAlerts,
    publicUrl: config.publicUrl,
    pins,
    counter: pinCounts,
    verdicts,
    metrics,
    logger,
    now,
  });

  const flushLog = new LogThrottle(FLUSH_ERROR_LOG_INTERVAL_MS);
  let lastPruneMs = Number.NEGATIVE_INFINITY;
  const persistLocalCounts = (): void => {
    try {
      counter.flush();
      if (now() - lastPruneMs >= PIN_PRUNE_INTERVAL_MS) {
        lastPruneMs = now();
        counter.prune();
      }
    } catch (err) {
      flushLog.run((suppressed) =>
        logger.error(
          { err, unflushedBuckets: counter.pendingBuckets, suppressedSinceLast: suppressed },
          'could not write pin counts to the database; keeping them in memory to retry',
        ),
      );
    }
  };
  const persistSharedCounts = (): void => {
    shared?.counts.flush().catch((err: unknown) =>
      flushLog.run((suppressed) => logger.error({ err, suppressedSinceLast: suppressed }, 'could not write pin counts to NATS; keeping them in memory to retry')),
    );
  };
  const persistCounts = shared ? persistSharedCounts : persistLocalCounts;
  persistCounts();
  const flushTimer = setInterval(persistCounts, config.pinFlushIntervalMs);
  flushTimer.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(flushTimer);
      await alerts.close();
      verdicts?.close();
      pins.close();
      try {
        if (shared) await shared.counts.flush();
        else counter.flush();
      } catch (err) {
        logger.error({ err, unflushedBuckets: counter.pendingBuckets }, 'could not write the last pin counts; they are lost');
      }
      await statsd?.close();
      try {
        db.close();
      } catch (err) {
        logger.error({ err }, 'closing the database failed');
      }
    })();
    return closing;
  };

  return {
    apiMounts: [
      pinRoutes({ pins, counter: shared?.counts ?? counter, logger, now, retentionMs: config.pinRetentionMs }),
      deployRoutes({ store: deployStore, broadcast, logger, now }),
      verdictRoutes({ board: verdicts, logger }),
      captureRoutes({ store: captureStore, logger, now, redactor: deps.redactor, deploysBetween: (from, to) => deploysBetween(deployStore, from, to) }),
    ],
    listening: (url) => alerts.listening(url),
    deploys: deployStore,
    stopBackfills: () => pins.stopBackfills(),
    close,
  };
}
