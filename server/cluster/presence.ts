import type { Subscription } from '@nats-io/transport-node';
import { hubBeaconSchema, type HubBeacon } from '../../protocol/hub-to-hub/index.js';
import type { SourceAgent } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterMetrics, NatsLink } from './nats-link.js';
import { ALL_BEACONS, HELLO_SUBJECT, beaconSubject } from './subjects.js';

export interface PresenceDeps {
  link: NatsLink;
  hubId: string;
  url?: string | undefined;
  metrics: ClusterMetrics;
  logger: Logger;
  /** This hub's agents and files (SourceRegistry.snapshot). */
  agents(): SourceAgent[];
  intervalMs: number;
  /** How long a hub that went silent (without saying it leaves) is still reported as lost. */
  forgetLostAfterMs: number;
}

interface Peer {
  beacon: HubBeacon;
  seenMs: number;
}

/**
 * Which other hubs are alive and which agents they hold. Each hub publishes a beacon every
 * `intervalMs`; one not heard from for three intervals is taken to be gone. A hub that starts (or
 * gets NATS back) says hello and the others answer at once, so it knows them within a round trip.
 */
export class Presence {
  private readonly peers = new Map<string, Peer>();
  /** Hubs taken out for silence, with when they were last heard: searches say their lines are missing. */
  private readonly lost = new Map<string, number>();
  private readonly subscriptions: Subscription[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastErrorMs = 0;

  constructor(private readonly deps: PresenceDeps) {
    const { nc } = deps.link;
    this.subscriptions.push(
      nc.subscribe(ALL_BEACONS, {
        callback: (err, msg) => {
          if (err) return;
          let beacon: HubBeacon;
          try {
            beacon = hubBeaconSchema.parse(msg.json());
          } catch {
            return; // Not a beacon of ours; nothing depends on it.
          }
          this.heard(beacon);
        },
      }),
      nc.subscribe(HELLO_SUBJECT, { callback: (err) => void (err || this.announce()) }),
    );
    this.timer = setInterval(() => {
      this.announce();
      this.expire();
    }, deps.intervalMs);
    this.timer.unref();
  }

  /** Says hello and waits (at most a moment) for the others' answers. */
  async greet(): Promise<void> {
    if (!this.deps.link.connected) return;
    this.announce();
    this.deps.link.nc.publish(HELLO_SUBJECT);
    await this.deps.link.nc.flush();
  }

  private heard(beacon: HubBeacon): void {
    if (beacon.hub === this.deps.hubId) return;
    this.lost.delete(beacon.hub);
    if (beacon.leaving) this.peers.delete(beacon.hub);
    else {
      if (!this.peers.has(beacon.hub)) this.deps.logger.info({ peer: beacon.hub, url: beacon.url }, 'hub joined the cluster');
      this.peers.set(beacon.hub, { beacon, seenMs: Date.now() });
    }
    this.updateCount();
  }

  private expire(): void {
    const cutoff = Date.now() - 3 * this.deps.intervalMs;
    for (const [hub, peer] of this.peers) {
      if (peer.seenMs >= cutoff) continue;
      this.peers.delete(hub);
      this.lost.set(hub, peer.seenMs);
      this.deps.logger.info({ peer: hub }, 'hub not heard from: taken out of the cluster');
    }
    this.updateCount();
  }

  private updateCount(): void {
    this.deps.metrics.peers.set(this.peers.size);
    this.deps.link.peersCount = this.peers.size;
  }

  private announce(leaving = false): void {
    if (!this.deps.link.connected) return;
    const beacon: HubBeacon = { hub: this.deps.hubId, agents: leaving ? [] : this.deps.agents(), ...(this.deps.url ? { url: this.deps.url } : {}), ...(leaving ? { leaving } : {}) };
    try {
      this.deps.link.nc.publish(beaconSubject(this.deps.hubId), JSON.stringify(beacon));
    } catch (err) {
      // Too many agents for one message, say: the others list fewer sources; delivery is unaffected.
      if (Date.now() - this.lastErrorMs > 60_000) {
        this.lastErrorMs = Date.now();
        this.deps.logger.warn({ err }, 'could not publish this hub\u2019s beacon');
      }
    }
  }

  /** Ids of the other hubs alive now. */
  peerIds(): string[] {
    return [...this.peers.keys()];
  }

  /** Hubs that went silent without leaving, in the last `forgetLostAfterMs`, with when each was last heard. */
  lostPeers(): Array<{ hubId: string; seenMs: number }> {
    const cutoff = Date.now() - this.deps.forgetLostAfterMs;
    for (const [hub, seenMs] of this.lost) if (seenMs < cutoff) this.lost.delete(hub);
    return [...this.lost].map(([hubId, seenMs]) => ({ hubId, seenMs }));
  }

  /** Agents of the other hubs, from their last beacons. */
  remoteAgents(): SourceAgent[] {
    return [...this.peers.values()].flatMap((peer) => peer.beacon.agents);
  }

  close(): void {
    clearInterval(this.timer);
    this.announce(true);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

/**
 * This hub's agents plus the others', one entry per host: a host that moved to another hub (an
 * agent failing over) is listed where it is connected.
 */
export function mergeAgents(local: readonly SourceAgent[], remote: readonly SourceAgent[]): SourceAgent[] {
  const byHost = new Map<string, SourceAgent>();
  for (const agent of [...local, ...remote]) {
    const known = byHost.get(agent.host);
    if (!known || (!known.connected && agent.connected)) byHost.set(agent.host, agent);
  }
  return [...byHost.values()];
}
