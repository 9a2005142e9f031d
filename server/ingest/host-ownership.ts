import { compileGlob, type Glob } from '../../protocol/index.js';
import type { Logger } from '../../lib/logger.js';
import { LogThrottle } from '../../lib/log-throttle.js';
import type { HostOwner, HostOwnerRecords } from '../storage/host-owner-store.js';

/** An open agent connection that has claimed a host; `evict` closes it when another token takes the host over. */
export interface HostClaimant {
  readonly token: string;
  evict(message: string): void;
}

export type HostClaim =
  | { ok: true; previousOwner?: string | undefined }
  | { ok: false; reason: 'not-allowed' | 'owned' | 'storage'; message: string };

export interface HostOwnershipOptions {
  /** Token name -> host globs it may send as (HubConfig.agentHosts); tokens not listed may claim any host. */
  agentHosts: Readonly<Record<string, readonly string[]>>;
  /** Names of the configured agent tokens: a host owned by a name no longer configured is free. */
  tokenNames: ReadonlySet<string>;
  /** A host none of whose agents connected for this long may be claimed by another token. */
  ttlMs: number;
  store: HostOwnerRecords;
  logger: Logger;
  now?: () => number;
}

/** How firmly a token holds a host: listed for it in agentHosts beats a claim by a token without a list. */
const LISTED = 2;
const OPEN = 1;

/** A storage failure is logged at most this often. */
const STORAGE_LOG_INTERVAL_MS = 60_000;

/**
 * Which agent token may send lines as which host. A token listed in agentHosts may say hello only
 * as hosts matching its globs; any token may hold a host name no other token holds, the first to say
 * hello owning it (kept in the database, so a restart changes nothing). A listed token takes a host
 * over from a token that is not listed (closing that token's connections for it); otherwise the
 * owner keeps it until it is no longer configured, no longer allowed, or away for `ttlMs`.
 */
export class HostOwnership {
  private readonly live = new Map<string, Set<HostClaimant>>();
  /** When each live host's last-seen time was last written, so a long connection keeps its host. */
  private readonly writtenMs = new Map<string, number>();
  /** Each listed token's host globs, compiled once (linear-time matching, see protocol/shared/glob.ts). */
  private readonly globs = new Map<string, Glob[]>();
  private readonly now: () => number;
  private readonly storageLog: LogThrottle;

  constructor(private readonly options: HostOwnershipOptions) {
    for (const [token, globs] of Object.entries(options.agentHosts)) this.globs.set(token, globs.map((glob) => compileGlob(glob)));
    this.now = options.now ?? Date.now;
    this.storageLog = new LogThrottle(STORAGE_LOG_INTERVAL_MS, this.now);
  }

  /** How firmly `token` may hold `host` by configuration: 0 when it may not send as it at all. */
  private grant(token: string, host: string): number {
    const globs = this.globs.get(token);
    if (globs === undefined) return OPEN;
    return globs.some((glob) => glob.test(host)) ? LISTED : 0;
  }

  private liveTokens(host: string): Set<string> {
    return new Set([...(this.live.get(host) ?? [])].map((claimant) => claimant.token));
  }

  /** How firmly `owner` still holds `host`: 0 once its token is gone, no longer allowed, or away too long. */
  private holds(owner: HostOwner, host: string, nowMs: number): number {
    if (!this.options.tokenNames.has(owner.token)) return 0;
    const grant = this.grant(owner.token, host);
    if (grant === 0) return 0;
    if (!this.liveTokens(host).has(owner.token) && owner.lastSeenMs <= nowMs - this.options.ttlMs) return 0;
    return grant;
  }

  /** Decides a hello by `claimant` as `host`; on success the claimant is live for it until `release`. */
  claim(host: string, claimant: HostClaimant): HostClaim {
    const { token } = claimant;
    const grant = this.grant(token, host);
    if (grant === 0) {
      return { ok: false, reason: 'not-allowed', message: `this agent token may not send lines as host ${JSON.stringify(host)} (agentHosts)` };
    }
    const nowMs = this.now();
    let stored: HostOwner | undefined;
    try {
      stored = this.options.store.get(host);
    } catch (err) {
      this.logStorage(err);
      return { ok: false, reason: 'storage', message: 'the hub cannot read its host owners now; try again later' };
    }
    // Without a stored owner (a write that failed), a live connection of another token still owns the host.
    const otherLive = [...this.liveTokens(host)].find((other) => other !== token);
    const owner = stored ?? (otherLive === undefined ? undefined : { token: otherLive, lastSeenMs: nowMs });
    let previousOwner: string | undefined;
    if (owner !== undefined && owner.token !== token) {
      if (this.holds(owner, host, nowMs) >= grant) {
        return { ok: false, reason: 'owned', message: `host ${JSON.stringify(host)} belongs to another agent token` };
      }
      previousOwner = owner.token;
      for (const other of [...(this.live.get(host) ?? [])]) {
        if (other.token !== token) other.evict(`host ${JSON.stringify(host)} now belongs to another agent token`);
      }
    }
    let claimants = this.live.get(host);
    if (!claimants) this.live.set(host, (claimants = new Set()));
    claimants.add(claimant);
    if (this.write(host, { token, lastSeenMs: nowMs })) this.writtenMs.set(host, nowMs);
    return { ok: true, previousOwner };
  }

  /** The claimant's connection closed: the host is remembered as last seen now. */
  release(host: string, claimant: HostClaimant): void {
    const claimants = this.live.get(host);
    if (!claimants?.delete(claimant)) return;
    if (claimants.size > 0) return;
    this.live.delete(host);
    this.writtenMs.delete(host);
    this.write(host, { token: claimant.token, lastSeenMs: this.now() }, claimant.token);
  }

  /** Refreshes the last-seen time of hosts connected for long, and forgets owners away for longer than the TTL. */
  prune(): void {
    const nowMs = this.now();
    for (const [host, claimants] of this.live) {
      const token = [...claimants][0]?.token;
      if (token === undefined || nowMs - (this.writtenMs.get(host) ?? 0) < this.options.ttlMs / 10) continue;
      if (this.write(host, { token, lastSeenMs: nowMs })) this.writtenMs.set(host, nowMs);
    }
    try {
      this.options.store.pruneBefore(nowMs - this.options.ttlMs);
    } catch (err) {
      this.logStorage(err);
    }
  }

  /** Saves an owner (with `onlyIfOwner`, only while that token still owns the host); false when the database failed. */
  private write(host: string, owner: HostOwner, onlyIfOwner?: string): boolean {
    try {
      if (onlyIfOwner !== undefined && this.options.store.get(host)?.token !== onlyIfOwner) return true;
      this.options.store.set(host, owner);
      return true;
    } catch (err) {
      this.logStorage(err);
      return false;
    }
  }

  private logStorage(err: unknown): void {
    this.storageLog.run((suppressed) =>
      this.options.logger.error({ err, suppressedSinceLast: suppressed }, 'cannot read or write host owners in the database'),
    );
  }
}
