import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../lib/logger.js';
import { HostOwnership, type HostClaimant } from '../../../../server/ingest/host-ownership.js';
import type { HostOwner, HostOwnerRecords } from '../../../../server/storage/host-owner-store.js';

class MapStore implements HostOwnerRecords {
  readonly rows = new Map<string, HostOwner>();
  failing = false;
  get(host: string): HostOwner | undefined {
    if (this.failing) throw new Error('disk I/O error');
    return this.rows.get(host);
  }
  set(host: string, owner: HostOwner): void {
    if (this.failing) throw new Error('disk I/O error');
    this.rows.set(host, { ...owner });
  }
  pruneBefore(cutoffMs: number): void {
    for (const [host, owner] of this.rows) if (owner.lastSeenMs < cutoffMs) this.rows.delete(host);
  }
}

const TTL = 60_000;

function setup(agentHosts: Record<string, string[]> = {}, tokens = ['web', 'db', 'ops']) {
  const clock = { now: 1_000_000 };
  const store = new MapStore();
  const make = () => new HostOwnership({ agentHosts, tokenNames: new Set(tokens), ttlMs: TTL, store, logger: silentLogger(), now: () => clock.now });
  return { clock, store, ownership: make(), make };
}

function claimant(token: string): HostClaimant & { evicted: string[] } {
  const evicted: string[] = [];
  return { token, evicted, evict: (message) => evicted.push(message) };
}

describe('HostOwnership', () => {
  it('gives a host to the first token that says hello as it, and refuses the others without naming the owner', () => {
    const { ownership } = setup();
    expect(ownership.claim('web-1', claimant('web'))).toEqual({ ok: true, previousOwner: undefined });
    const refused = ownership.claim('web-1', claimant('db'));
    expect(refused).toEqual({ ok: false, reason: 'owned', message: 'host "web-1" belongs to another agent token' });
    expect(JSON.stringify(refused)).not.toContain('"web"');
    // The owner may connect again, several times at once (a reconnect overlapping the old socket).
    expect(ownership.claim('web-1', claimant('web')).ok).toBe(true);
  });

  it('keeps ownership across a restart through the store, and after the owner disconnects', () => {
    const { ownership, make, clock } = setup();
    const web = claimant('web');
    ownership.claim('web-1', web);
    ownership.release('web-1', web);
    clock.now += TTL / 2;
    const restarted = make();
    expect(restarted.claim('web-1', claimant('db')).ok).toBe(false);
    expect(restarted.claim('web-1', claimant('web')).ok).toBe(true);
  });

  it('frees a host whose agents stayed away longer than the TTL, or whose token is no longer configured', () => {
    const { ownership, clock, store } = setup();
    const web = claimant('web');
    ownership.claim('web-1', web);
    ownership.release('web-1', web);
    clock.now += TTL + 1;
    expect(ownership.claim('web-1', claimant('db'))).toEqual({ ok: true, previousOwner: 'web' });
    store.rows.set('old-1', { token: 'retired', lastSeenMs: clock.now });
    expect(ownership.claim('old-1', claimant('db')).ok).toBe(true);
  });

  it('never frees a host while its owner is connected, however long ago it said hello', () => {
    const { ownership, clock } = setup();
    ownership.claim('web-1', claimant('web'));
    for (let step = 0; step < 30; step += 1) {
      clock.now += TTL / 5;
      ownership.prune();
    }
    expect(ownership.claim('web-1', claimant('db')).ok).toBe(false);
  });

  it('lets a token listed in agentHosts send only as its hosts, and take a host over from an unlisted token', () => {
    const { ownership } = setup({ web: ['web-*'], ops: ['web-9'] });
    expect(ownership.claim('db1', claimant('web'))).toMatchObject({ ok: false, reason: 'not-allowed', message: expect.stringContaining('"db1"') });
    const squatter = claimant('db');
    expect(ownership.claim('web-1', squatter).ok).toBe(true);
    expect(ownership.claim('web-1', claimant('web'))).toEqual({ ok: true, previousOwner: 'db' });
    expect(squatter.evicted).toEqual(['host "web-1" now belongs to another agent token']);
    // An unlisted token cannot take it back; two listed tokens: first come.
    expect(ownership.claim('web-1', claimant('db')).ok).toBe(false);
    expect(ownership.claim('web-9', claimant('web')).ok).toBe(true);
    expect(ownership.claim('web-9', claimant('ops')).ok).toBe(false);
  });

  it('frees a host its owner is no longer listed for', () => {
    const { store, clock, make } = setup({ db: ['db*'] });
    store.rows.set('web-1', { token: 'db', lastSeenMs: clock.now });
    expect(make().claim('web-1', claimant('web'))).toEqual({ ok: true, previousOwner: 'db' });
  });

  it('refuses a hello it cannot decide when the database fails, and still holds a live host when writes fail', () => {
    const { ownership, store } = setup();
    store.failing = true;
    expect(ownership.claim('web-1', claimant('web'))).toMatchObject({ ok: false, reason: 'storage' });
    store.failing = false;
    const web = claimant('web');
    ownership.claim('web-1', web);
    store.rows.clear();
    expect(ownership.claim('web-1', claimant('db')).ok).toBe(false);
  });

  it('forgets owners away for longer than the TTL when pruning', () => {
    const { ownership, store, clock } = setup();
    const web = claimant('web');
    ownership.claim('web-1', web);
    ownership.release('web-1', web);
    clock.now += TTL + 1;
    ownership.prune();
    expect(store.rows.size).toBe(0);
  });
});
