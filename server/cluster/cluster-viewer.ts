import type { ContextRequest, LogLine, MatchedLine } from '../../protocol/index.js';
import { contextLines } from '../backlog/backlog-queries.js';
import type { Backlog } from '../backlog/backlog.js';
import type { CompiledFilter } from '../filter/filter-compiler.js';
import { estimateLinesBytes } from '../viewers/outbox-queue.js';
import { takeNewest } from '../backlog/take-newest.js';
import type { LineBridge } from './line-bridge.js';
import type { PeerQueries } from './peer-queries.js';
import { parseLineId } from './subjects.js';

/** One subscription's place in the cluster: other hubs' lines flow here until `leave`. */
export interface ClusterJoin {
  /**
   * Resolves (never rejects) once other hubs' lines for the filter reach this hub, with the other
   * hubs' backlog: one list per hub, each oldest first.
   */
  ready: Promise<MatchedLine[][]>;
  leave(): void;
}

/** What a viewer session needs from the cluster (TailSessionDeps.cluster). */
export interface ClusterViewerHooks {
  join(filter: CompiledFilter, backlogLimit: number): ClusterJoin;
  /** The lines around a line another hub took in; undefined when no hub holds it any more. */
  context(request: ContextRequest): Promise<LogLine[] | undefined>;
}

/**
 * Live lines of one subscription held back while the cluster gathers its backlog, so the viewer
 * gets backlog first, then live lines, as on a single hub. Bounded: past MAX_HELD_BYTES the oldest
 * are dropped and counted, and the viewer is told how many in a `dropped` message.
 */
export const MAX_HELD_BYTES = 4 * 1024 * 1024;

export class HeldLines {
  private chunks: Array<readonly MatchedLine[]> = [];
  private bytes = 0;
  dropped = 0;
  holding = true;

  push(lines: readonly MatchedLine[]): void {
    this.chunks.push(lines);
    this.bytes += estimateLinesBytes(lines);
    while (this.bytes > MAX_HELD_BYTES && this.chunks.length > 1) {
      const oldest = this.chunks.shift()!;
      this.bytes -= estimateLinesBytes(oldest);
      this.dropped += oldest.length;
    }
  }

  ids(): Set<string> {
    const ids = new Set<string>();
    for (const chunk of this.chunks) for (const line of chunk) ids.add(line.id);
    return ids;
  }

  /** Stops holding and hands over what was held, in order. */
  release(send: (lines: readonly MatchedLine[]) => void): void {
    this.holding = false;
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    for (const chunk of chunks) send(chunk);
  }
}

/**
 * This hub's backlog and the other hubs', merged: the newest `limit` lines by reading time (hubs'
 * arrival orders cannot be compared; each list keeps its own order), leaving out lines already
 * held to be sent live.
 */
export function mergeBacklogs(local: readonly MatchedLine[], remote: readonly (readonly MatchedLine[])[], limit: number, live: ReadonlySet<string>): MatchedLine[] {
  const lists = [local, ...remote].map((list) => list.filter((line) => !live.has(line.id))).filter((list) => list.length > 0);
  if (lists.length <= 1) return (lists[0] ?? []).slice(-limit);
  return takeNewest(lists, limit, (line) => line.ts);
}

export interface ClusterViewerDeps {
  bridge: LineBridge;
  queries: PeerQueries;
  backlog: Backlog;
}

export class ClusterViewer implements ClusterViewerHooks {
  /** The last interest change in flight: a join waits for it, even when its filter was already wanted. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ClusterViewerDeps) {}

  private apply(): void {
    const { bridge } = this.deps;
    this.applying = this.applying.then(() => bridge.applyInterest()).catch(() => undefined);
  }

  join(filter: CompiledFilter, backlogLimit: number): ClusterJoin {
    const { bridge, queries } = this.deps;
    if (bridge.interest.add(filter.key, filter.spec)) this.apply();
    const applied = this.applying;
    let left = false;
    const ready = (async () => {
      await applied;
      if (left || backlogLimit <= 0) return [];
      return queries.gatherBacklog(filter.spec, backlogLimit);
    })().catch(() => []);
    return {
      ready,
      leave: () => {
        if (left) return;
        left = true;
        if (bridge.interest.remove(filter.key)) this.apply();
      },
    };
  }

  async context(request: ContextRequest): Promise<LogLine[] | undefined> {
    const parsed = parseLineId(request.id);
    if (!parsed) return undefined;
    const answer = await this.deps.queries.context(parsed.hubId, { id: request.id, before: request.before, after: request.after });
    if (answer?.found) return answer.lines;
    // The owning hub is gone or no longer holds it: this hub may still hold the lines it received.
    const source = this.deps.bridge.remoteSource(parsed.prefix);
    const ring = source && this.deps.backlog.ring(source);
    return ring && contextLines(ring, parsed.pos, request.before, request.after);
  }
}
