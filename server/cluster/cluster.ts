import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { SourceAgent } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { Backlog } from '../backlog/backlog.js';
import type { BatchPipeline } from '../ingest/batch-pipeline.js';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { SourceRegistry } from '../ingest/source-registry.js';
import type { SourceRef } from '../filter/batch-lines.js';
import { ClusterViewer, type ClusterViewerHooks } from './cluster-viewer.js';
import { KvCaptureStore, KvDeployStore, KvPinStore } from './kv-stores.js';
import { LineBridge } from './line-bridge.js';
import { ClusterMetrics, NatsLink, type NatsHealth } from './nats-link.js';
import { PeerQueries } from './peer-queries.js';
import { ClusterSearch } from './peer-search.js';
import { PublishBarrier } from './publish-barrier.js';
import { Presence, mergeAgents } from './presence.js';
import { SharedPinCounter } from './shared-pin-counter.js';

/** How often a hub announces itself (and its agents) to the others. */
const BEACON_INTERVAL_MS = 2_000;
/** How often remote sources are checked for silence. */
const PRUNE_INTERVAL_MS = 30_000;
/** Capture chunks: well under NATS's default max_payload of 1 MiB. */
const CAPTURE_CHUNK_BYTES = 512 * 1024;

/** Pins, deploys, captures and pin counts shared by every hub (HubFeaturesDeps.shared). */
export interface SharedRecords {
  pins: KvPinStore;
  deploys: KvDeployStore;
  captures: KvCaptureStore;
  counts: SharedPinCounter;
  /** Only this hub's own agents' lines count toward pins here; the other hubs count theirs. */
  countsSource(source: SourceRef): boolean;
  flushIntervalMs: number;
}

export interface ClusterDeps {
  config: HubConfig & { nats: string };
  logger: Logger;
  hubId: string;
  metrics: HubMetrics;
  registry: SourceRegistry;
  backlog: Backlog;
  pipeline: BatchPipeline;
  now(): number;
}

export interface Cluster {
  shared: SharedRecords;
  viewers: ClusterViewerHooks;
  /** History search and histograms across every hub (search-routes' `peers`). */
  search: ClusterSearch;
  /**
   * For agent acks: a promise that resolves once NATS holds every batch published so far (undefined
   * while NATS is down, when waiting would confirm nothing). See PublishBarrier.
   */
  ackGate(): Promise<void> | undefined;
  /** This hub's agents and every other hub's, for the `sources` message. */
  agents(local: SourceAgent[]): SourceAgent[];
  /** For /healthz: the NATS link; degraded while it is down (the hub still serves its own agents). */
  healthz(): { degraded: boolean; details: { nats: NatsHealth } };
  /** Once the hub listens: its address goes into its beacon, and the others are greeted. */
  announce(url: string): Promise<void>;
  close(): Promise<void>;
}

async function openBucket(kvm: Kvm, name: string, options: { ttl?: number; maxValueSize?: number } = {}): Promise<KV> {
  try {
    return await kvm.create(name, { history: 1, ...options });
  } catch (cause) {
    throw new Error(`cannot open the JetStream key-value bucket ${name} (is nats-server running with -js?)`, { cause });
  }
}

/**
 * Joins the hub to the others on the same NATS (`--nats`): lines flow between hubs by interest,
 * pins, deploys and captures live in JetStream, backlog and context are asked of every hub.
 * Throws when NATS or JetStream cannot be reached at start; after that, losing NATS only degrades
 * the hub to serving its own agents (see docs/scaling.md).
 */
export async function startCluster(deps: ClusterDeps): Promise<Cluster> {
  const { config, logger, hubId } = deps;
  const metrics = new ClusterMetrics(deps.metrics.registry);
  let url: string | undefined;
  let presence: Presence | undefined;
  const link = await NatsLink.open({
    url: config.nats,
    hubId,
    logger,
    metrics,
    connectTimeoutMs: config.natsTimeoutMs,
    onReconnect: () => void presence?.greet().catch(() => undefined),
  });
  try {
    const kvm = new Kvm(jetstream(link.nc, { timeout: config.natsTimeoutMs }));
    const [pinsKv, deploysKv, capturesKv, countsKv] = await Promise.all([
      openBucket(kvm, 'sg_pins'),
      openBucket(kvm, 'sg_deploys'),
      openBucket(kvm, 'sg_captures'),
      openBucket(kvm, 'sg_pin_counts', { ttl: config.pinRetentionMs + 60 * 60_000 }),
    ]);
    const [pins, deploys] = await Promise.all([KvPinStore.open(pinsKv, logger), KvDeployStore.open(deploysKv, logger)]);
    const captures = new KvCaptureStore(capturesKv, Math.min(CAPTURE_CHUNK_BYTES, Math.floor((link.nc.info?.max_payload ?? 1024 * 1024) / 2)));
    const counts = new SharedPinCounter({
      kv: countsKv,
      hubId,
      now: deps.now,
      logger,
      onDropped: (matches) => deps.metrics.pinCountsDropped.inc(matches),
    });

    const bridge = new LineBridge({ link, hubId, pipeline: deps.pipeline, backlog: deps.backlog, metrics, logger, forgetAfterMs: config.agentForgetAfterMs, flushTimeoutMs: config.natsTimeoutMs });
    const barrier = new PublishBarrier({
      flush: () => link.nc.flush(),
      connected: () => link.connected,
      timeoutMs: config.natsTimeoutMs,
      onUnconfirmed: (reason, err) => {
        metrics.publishUnconfirmed.labels(reason).inc();
        logger.warn({ err, reason, timeoutMs: config.natsTimeoutMs }, 'NATS did not confirm published lines; acknowledging agents anyway');
      },
    });
    presence = new Presence({ link, hubId, metrics, logger, intervalMs: BEACON_INTERVAL_MS, forgetLostAfterMs: config.agentForgetAfterMs, agents: () => deps.registry.snapshot(), get url() { return url; } });
    const activePresence = presence;
    const queries = new PeerQueries({
      link,
      hubId,
      registry: deps.registry,
      backlog: deps.backlog,
      metrics,
      logger,
      timeoutMs: config.natsTimeoutMs,
      peers: () => activePresence.peerIds(),
    });
    const search = new ClusterSearch({ link, hubId, metrics, logger, timeoutMs: config.natsTimeoutMs, peers: () => activePresence.peerIds(), lost: () => activePresence.lostPeers() });
    const viewers = new ClusterViewer({ bridge, queries, backlog: deps.backlog });
    const pruneTimer = setInterval(() => bridge.prune(), PRUNE_INTERVAL_MS);
    pruneTimer.unref();

    let closing: Promise<void> | undefined;
    return {
      shared: { pins, deploys, captures, counts, countsSource: (source) => bridge.isLocal(source), flushIntervalMs: config.pinFlushIntervalMs },
      viewers,
      search,
      ackGate: () => barrier.afterPublished(),
      agents: (local) => mergeAgents(local, activePresence.remoteAgents()),
      healthz: () => {
        const nats = link.health();
        return { degraded: !nats.connected, details: { nats } };
      },
      announce: async (hubUrl) => {
        url = hubUrl;
        await activePresence.greet();
      },
      close: () => {
        closing ??= (async () => {
          clearInterval(pruneTimer);
          activePresence.close();
          queries.close();
          search.close();
          bridge.close();
          pins.close();
          deploys.close();
          await link.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await link.close();
    throw err;
  }
}
