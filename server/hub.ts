import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { HubToClient } from '../protocol/index.js';
import type { Logger } from '../lib/logger.js';
import { Authenticator } from './access/authenticator.js';
import { HostCheck } from './access/host-check.js';
import type { ApiMount } from './api/api-router.js';
import { Backlog } from './backlog/backlog.js';
import { BatchPipeline } from './ingest/batch-pipeline.js';
import { isLoopback, type HubConfig } from './config.js';
import { FilterEngine } from './filter/filter-engine.js';
import type { HistoryReader } from './history/history-reader.js';
import { searchRoutes } from './history/search/search-routes.js';
import { TimeSlicer } from './history/search/time-slicer.js';
import { Heartbeat } from './transport/heartbeat.js';
import { createHttpApp } from './transport/http-app.js';
import { deploysBetween } from './deploys/deploy-replay.js';
import { startHubFeatures, type HubFeatures } from './hub-features.js';
import { AgentEndpoint } from './ingest/agent-endpoint.js';
import { LateFlush } from './viewers/late-flush.js';
import { MatchRouter } from './filter/match-router.js';
import { HubMetrics } from './metrics.js';
import { SourceRegistry } from './ingest/source-registry.js';
import { HostOwnership } from './ingest/host-ownership.js';
import { HostOwnerStore } from './storage/host-owner-store.js';
import { agentRedactionOffer, buildRedactor } from './redaction/redaction-config.js';
import type { Cluster } from './cluster/cluster.js';
import { openDatabase, type Db } from './storage/database.js';
import { HistoryStore } from './history/history-store.js';
import { eventTimeOf } from '../lib/event-time/event-time.js';
import { historyContext, refillBacklog } from './history/history-lines.js';
import { createHubServer, tlsEnabled } from './transport/tls.js';
import { checkHost, refuseBrowsers, routeUpgrades } from './transport/upgrade-router.js';
import { ViewerEndpoint } from './viewers/viewer-endpoint.js';

export interface RunningHub {
  /** http://host:port */
  url: string;
  port: number;
  hubId: string;
  close(): Promise<void>;
}

/**
 * Hooks for features built on the hub (a bridge between hubs, say); the CLI passes none. Pins,
 * deploys and captures are built in: startHub always wires them.
 */
export interface HubExtensions {
  /** More routes mounted under /api, after the built-in /api/pins, /api/deploys, /api/captures. */
  apiMounts?: readonly ApiMount[];
  /** Called once everything is wired, before listening: subscribe to filters, tap batches. */
  onStart?(internals: HubInternals): void;
  /** The clock of pin count buckets and of new pins, deploys and captures; tests inject one. Default Date.now. */
  now?: () => number;
  /** History that /api/search reads; absent: /api/search answers 404 "history is off on this hub". */
  history?: HistoryReader;
}

/** The parts a feature hooks into: `router.subscribe` for continuous matching, `pipeline.tap` for every batch. */
export interface HubInternals {
  hubId: string;
  router: MatchRouter;
  pipeline: BatchPipeline;
  registry: SourceRegistry;
  backlog: Backlog;
  metrics: HubMetrics;
  /** The on-disk history (what search reads); absent with history off. */
  history: HistoryStore | undefined;
  /** Sends a message to every viewer past its hello (the `pin` and `deploy` events); returns how many. */
  broadcast(message: HubToClient): number;
}

/** How often forgotten hosts and silent sources are swept (see HubConfig.agentForgetAfterMs). */
const PRUNE_INTERVAL_MS = 30_000;
/** Longest a history scan (search, histogram, pin backfill) works before letting ingest and viewers have the event loop. */
const HISTORY_SLICE_MS = 5;

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function openHubDatabase(dataDir: string): Db {
  try {
    return openDatabase(dataDir);
  } catch (cause) {
    throw new Error(`cannot open the hub database in ${dataDir}: ${(cause as Error).message}`, { cause });
  }
}

function openHistory(config: HubConfig, db: Db, metrics: HubMetrics, logger: Logger): HistoryStore {
  let store: HistoryStore;
  try {
    store = new HistoryStore({
      dir: join(config.dataDir, 'history'),
      db,
      maxBytes: config.historyMaxBytes,
      maxAgeMs: config.historyMaxAgeMs,
      logger: logger.child({ part: 'history' }),
      observer: metrics.historyObserver(),
      eventTimeOf,
    });
  } catch (cause) {
    db.close();
    throw new Error(`cannot open the history in ${config.dataDir}: ${(cause as Error).message}`, { cause });
  }
  metrics.watchHistory(() => store.stats());
  return store;
}

/** /healthz details: the cluster's, and a history that cannot be written (degraded, not down: live filtering goes on). */
function combineHealth(
  cluster: { degraded: boolean; details: Record<string, unknown> } | undefined,
  historyFailure: { error: string; sinceMs: number } | undefined,
): { degraded: boolean; details: Record<string, unknown> } | undefined {
  if (!historyFailure) return cluster;
  return {
    degraded: true,
    details: { ...cluster?.details, history: { status: 'failing', error: historyFailure.error, since: new Date(historyFailure.sinceMs).toISOString() } },
  };
}

/** Starts the hub: one http.Server carrying the UI, /api, /healthz, /metrics and both WebSocket endpoints. */
export async function startHub(config: HubConfig, logger: Logger, extensions: HubExtensions = {}): Promise<RunningHub> {
  const startedAtMs = Date.now();
  const now = extensions.now ?? Date.now;
  // First, before any timer or socket exists: TLS files or a data directory that cannot be used stop the start.
  const server = createHubServer(config);
  const db = openHubDatabase(config.dataDir);
  const metrics = new HubMetrics();
  const history = config.history ? openHistory(config, db, metrics, logger) : undefined;
  // With history the id is kept in the database, so line ids and permalinks outlive a restart.
  const hubId = history?.hubId ?? randomBytes(6).toString('hex');
  const access = new Authenticator(config, logger);
  const hosts = new HostCheck({ ...config, loopback: isLoopback(config.host) });
  const redactor = buildRedactor(config.redaction, (rule, count) => metrics.redactions.labels(rule).inc(count));
  const registry = new SourceRegistry({
    hubId,
    resumeFileIdsPerHost: config.resumeFileIdsPerHost,
    forgetAfterMs: config.agentForgetAfterMs,
    maxFilesPerHost: config.maxFilesPerAgentHost,
    maxFilesPerToken: config.maxFilesPerAgentToken,
    numbering: history,
  });
  if (history) {
    // Resume points the last run gave agents, so they go on where history ends instead of sending again.
    for (const point of history.resumePoints(Date.now() - config.historyMaxAgeMs)) registry.recordTaken(point.host, point.fileId, point.file, point.endOffset, point.token);
  }
  const ownership = new HostOwnership({
    agentHosts: config.agentHosts,
    tokenNames: new Set(config.agentTokens.map((token) => token.name)),
    ttlMs: config.hostOwnershipTtlMs,
    store: new HostOwnerStore(db),
    logger,
  });
  const backlog = new Backlog({ bytesPerSource: config.backlogBytesPerSource, totalBytes: config.backlogTotalBytes });
  if (history) refillBacklog(history, backlog, (host, file) => registry.source(host, file), config.backlogBytesPerSource, Date.now() - config.agentForgetAfterMs);
  const engine = new FilterEngine({ observer: metrics.filterCostObserver() });
  const router = new MatchRouter(engine);
  const lateFlush = new LateFlush();
  const pipeline = new BatchPipeline({ registry, backlog, engine, router, metrics, maxLineBytes: config.maxLineBytes, redactor, agentRedaction: agentRedactionOffer(config.redaction), trustedAgents: new Set(config.redaction.trustedAgents), lateFlush, history });
  const heartbeat = new Heartbeat(config.heartbeatIntervalMs, (context) => logger.info(context, 'peer missed a heartbeat; terminated'));
  let cluster: Cluster | undefined;
  if (config.nats !== undefined) {
    try {
      // Loaded only with --nats, so a single hub never loads the NATS client.
      const { startCluster } = await import('./cluster/cluster.js');
      cluster = await startCluster({ config: { ...config, nats: config.nats }, logger, hubId, metrics, registry, backlog, pipeline, now });
    } catch (cause) {
      heartbeat.stop();
      history?.close();
      db.close();
      throw new Error(`cannot join the other hubs through NATS: ${(cause as Error).message}`, { cause });
    }
  }

  const agents = new AgentEndpoint({ config, logger, hubId, registry, pipeline, metrics, access, ackGate: cluster?.ackGate, ownership }, heartbeat);
  const viewers = new ViewerEndpoint({ config, logger, hubId, router, backlog, registry, metrics, access, lateFlush, cluster: cluster?.viewers, agentsView: cluster?.agents, historyContext: history && ((id, before, after) => historyContext(history, id, before, after)), deploysBetween: (from, to) => deploysBetween(features.deploys, from, to) }, heartbeat);
  const broadcast = (message: HubToClient) => viewers.broadcast(message);
  // One queue for every history scan, so searches and pin backfills take turns with each other too.
  const historySlicer = new TimeSlicer(HISTORY_SLICE_MS);
  let features: HubFeatures;
  try {
    features = startHubFeatures({
      config,
      logger,
      db,
      router,
      metrics,
      broadcast,
      now,
      redactor,
      shared: cluster?.shared,
      history: history && { reader: history, streamEnds: () => history.streamEnds(), eventTimeOf, slicer: historySlicer },
    });
  } catch (cause) {
    heartbeat.stop();
    await Promise.all([agents.close(), viewers.close()]);
    history?.close();
    db.close();
    await cluster?.close();
    throw new Error(`cannot start pins, deploys and captures from ${config.dataDir}`, { cause });
  }
  extensions.onStart?.({ hubId, router, pipeline, registry, backlog, metrics, history, broadcast });

  const app = createHttpApp({
    config,
    logger,
    hubId,
    metrics,
    access,
    hosts,
    startedAtMs,
    counts: () => ({ agents: registry.connectedAgents, viewers: viewers.connections }),
    health: () => combineHealth(cluster?.healthz(), history?.failing),
    apiMounts: [...features.apiMounts, searchRoutes({ history: extensions.history ?? history, eventTimeOf, logger, now, peers: cluster?.search, slicer: historySlicer, deploysBetween: (from, to) => deploysBetween(features.deploys, from, to) }), ...(extensions.apiMounts ?? [])],
  });
  server.on('request', app);
  routeUpgrades(server, { '/ws/agent': refuseBrowsers(agents.handleUpgrade, logger), '/ws/client': checkHost(hosts, viewers.handleUpgrade, logger) }, logger);

  const pruneTimer = setInterval(() => {
    registry.prune((source) => backlog.forget(source));
    ownership.prune();
    metrics.pruneHostSeries(Date.now() - config.metricsHostRetentionMs);
  }, PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (cause) {
    clearInterval(pruneTimer);
    heartbeat.stop();
    await Promise.all([agents.close(), viewers.close()]);
    features.stopBackfills();
    history?.close();
    await features.close();
    await cluster?.close();
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${(cause as Error).message}`, { cause });
  }
  server.on('error', (err) => logger.error({ err }, 'http server error'));

  const port = (server.address() as AddressInfo).port;
  const url = `${tlsEnabled(config) ? 'https' : 'http'}://${hostForUrl(config.host)}:${port}`;
  await cluster?.announce(url);
  features.listening(url);
  logger.info({ url, hubId }, 'hub listening');
  if (!hosts.enforced) {
    logger.warn({ host: config.host }, 'no allowedHosts configured: requests for any host name are accepted; list the names browsers use (--allowed-host) to refuse DNS-rebound pages');
  }
  if (access.readersNeedCredentials && config.editorTokens.length === 0 && config.proxyAuth === undefined) {
    logger.warn('no editor tokens configured: viewers can read, but nobody can create pins, deploy markers or captures (set SUPERGREP_EDITOR_TOKEN)');
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(pruneTimer);
      heartbeat.stop();
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([agents.close(), viewers.close()]);
      server.closeAllConnections();
      await httpClosed;
      // Ingest has stopped: every open block is sealed, so a clean stop leaves no WAL to replay.
      features.stopBackfills();
      history?.close();
      // After ingest has stopped, so the last counts written are final.
      await features.close();
      // Last: the final pin counts go to JetStream through it.
      await cluster?.close();
      logger.info({ hubId }, 'hub stopped');
    })();
    return closing;
  };
  return { url, port, hubId, close };
}
