import type { Verdict, VerdictsEvent } from '../../../../protocol/index.js';
import type { HubApi } from './hub-api.js';
import { ValueStore } from '../store.js';

/** Deploys whose verdicts are kept: the pins bar shows the latest, dividers the ones still in a stream. */
const MAX_DEPLOYS = 50;

export interface VerdictsState {
  /** Every pin's verdict, per deploy id, in the hub's pin order. */
  byDeploy: ReadonlyMap<string, readonly Verdict[]>;
  /** The false-alarm rate the hub's verdicts target, once an answer said it. */
  alpha: number | undefined;
  /** Why the last load failed (a hub without verdicts answers 404: nothing is shown then). */
  error: string | undefined;
}

/**
 * The hub's verdicts on deploys (docs/verdicts.md): loaded from GET /api/deploys/:id/verdicts for
 * the latest deploy when the connection comes up, then kept current by `verdicts` messages, which
 * the hub sends to every viewer whenever a deploy's verdicts change. Of two answers for one deploy,
 * the one the hub computed later wins, so a slow HTTP answer never replaces a newer message.
 */
export class VerdictStore extends ValueStore<VerdictsState> {
  private readonly loading = new Map<string, AbortController>();

  constructor(private readonly api: Pick<HubApi, 'deployVerdicts'>) {
    super({ byDeploy: new Map(), alpha: undefined, error: undefined });
  }

  /** A `verdicts` message from the hub. */
  apply(event: VerdictsEvent): void {
    this.put(event.deployId, event.verdicts, undefined);
  }

  /** Fetches one deploy's verdicts now (the latest deploy, after connecting). */
  async load(deployId: string): Promise<void> {
    this.loading.get(deployId)?.abort();
    const controller = new AbortController();
    this.loading.set(deployId, controller);
    try {
      const answer = await this.api.deployVerdicts(deployId, controller.signal);
      if (controller.signal.aborted) return;
      this.put(deployId, answer.verdicts, answer.alpha);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.set({ ...this.getSnapshot(), error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (this.loading.get(deployId) === controller) this.loading.delete(deployId);
    }
  }

  stop(): void {
    for (const controller of this.loading.values()) controller.abort();
    this.loading.clear();
  }

  private put(deployId: string, verdicts: readonly Verdict[], alpha: number | undefined): void {
    const current = this.getSnapshot();
    const held = current.byDeploy.get(deployId);
    if (held && newest(held) > newest(verdicts)) {
      if (alpha !== undefined && alpha !== current.alpha) this.set({ ...current, alpha, error: undefined });
      return;
    }
    const byDeploy = new Map(current.byDeploy);
    // Re-inserted last: the map is in order of arrival, and the oldest go first when it is full.
    byDeploy.delete(deployId);
    byDeploy.set(deployId, verdicts);
    for (const id of byDeploy.keys()) {
      if (byDeploy.size <= MAX_DEPLOYS) break;
      byDeploy.delete(id);
    }
    this.set({ byDeploy, alpha: alpha ?? current.alpha, error: undefined });
  }
}

function newest(verdicts: readonly Verdict[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const verdict of verdicts) max = Math.max(max, verdict.updatedAt);
  return max;
}

/** One pin's verdict on one deploy, if the hub has given one. */
export function verdictOf(state: VerdictsState, deployId: string | undefined, pinId: string): Verdict | undefined {
  if (deployId === undefined) return undefined;
  return state.byDeploy.get(deployId)?.find((verdict) => verdict.pinId === pinId);
}
