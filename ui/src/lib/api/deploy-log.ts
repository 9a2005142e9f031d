import type { Deploy } from '../../../../protocol/index.js';
import type { HubApi } from './hub-api.js';
import { ValueStore } from '../store.js';

/** How far back deploys are kept: as far as the hub keeps pin counts (pinRetentionMs, 24 h). */
export const DEPLOY_HISTORY_MS = 24 * 60 * 60 * 1000;
/** Most deploys held; the hub lists at most 1000 per request too. At 50 a day that is weeks. */
const MAX_DEPLOYS = 1000;

export interface DeployLogState {
  /** By start time, oldest first; unique by id. */
  deploys: readonly Deploy[];
  /** Why the last load failed (the graphs then lack older markers; live ones still arrive). */
  error: string | undefined;
}

/**
 * The deploy markers the pins' graphs draw: loaded from /api/deploys, then kept current by the
 * hub's `deploy` events. Loads again after every reconnect (events sent while away are lost), merging
 * with what events delivered meanwhile.
 */
export class DeployLog extends ValueStore<DeployLogState> {
  private loading: AbortController | undefined;

  constructor(
    private readonly api: Pick<HubApi, 'listDeploys'>,
    private readonly now: () => number = Date.now,
  ) {
    super({ deploys: [], error: undefined });
  }

  async load(): Promise<void> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    try {
      const listed = await this.api.listDeploys(this.now() - DEPLOY_HISTORY_MS, controller.signal);
      if (controller.signal.aborted) return;
      this.set({ deploys: merge(this.getSnapshot().deploys, listed, this.now()), error: undefined });
    } catch (error) {
      if (controller.signal.aborted) return;
      this.set({ ...this.getSnapshot(), error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  add(deploy: Deploy): void {
    this.set({ ...this.getSnapshot(), deploys: merge(this.getSnapshot().deploys, [deploy], this.now()) });
  }

  stop(): void {
    this.loading?.abort();
    this.loading = undefined;
  }
}

function merge(current: readonly Deploy[], incoming: readonly Deploy[], now: number): Deploy[] {
  const byId = new Map<string, Deploy>();
  for (const deploy of current) byId.set(deploy.id, deploy);
  for (const deploy of incoming) byId.set(deploy.id, deploy);
  const oldest = now - DEPLOY_HISTORY_MS;
  const sorted = [...byId.values()].filter((deploy) => deploy.startedAt >= oldest).sort((a, b) => a.startedAt - b.startedAt || a.createdAt - b.createdAt);
  return sorted.slice(-MAX_DEPLOYS);
}

/** The latest deploy that started at or before `at` (a deploy announced for later does not count yet). */
export function lastDeployAt(deploys: readonly Deploy[], at: number): Deploy | undefined {
  for (let index = deploys.length - 1; index >= 0; index -= 1) {
    if (deploys[index]!.startedAt <= at) return deploys[index];
  }
  return undefined;
}

/** A deploy stamped by a clock up to this far ahead of ours is still the latest, not one announced for later. */
const DEPLOY_CLOCK_SKEW_MS = 60_000;

/** The deploy verdicts are shown for: the latest to have started by `now` (give or take clock skew). */
export function latestDeploy(deploys: readonly Deploy[], now: number): Deploy | undefined {
  return lastDeployAt(deploys, now + DEPLOY_CLOCK_SKEW_MS);
}
