import type { MatchedLine, SearchHubFailure } from '../../protocol/index.js';
import { compareClusterInOrder, type ClusterKey, type SearchOrder } from '../history/search/line-key.js';

interface HubStream {
  lines: Array<{ key: ClusterKey; line: MatchedLine }>;
  head: number;
  /** No more lines will come (answered in full, failed, or stopped). */
  ended: boolean;
  /** It has matches beyond those it sent (its own limit was reached). */
  more: boolean;
  scannedBytes: number;
  totalBytes: number;
}

/**
 * Merges the matches of several hubs, each arriving in output order, into one stream in the
 * cluster's order (time, hub, source number, position). A line is released only when every hub
 * still answering has sent a line at or after it, so a late hub can never owe an earlier one.
 */
export class SearchMerge {
  private readonly streams = new Map<string, HubStream>();
  private readonly failed: SearchHubFailure[] = [];
  private emitted = 0;
  private last: ClusterKey | undefined;
  corruptBlocks = 0;

  constructor(
    private readonly order: SearchOrder,
    private readonly limit: number,
    hubs: Iterable<string>,
  ) {
    for (const hub of hubs) this.streams.set(hub, { lines: [], head: 0, ended: false, more: false, scannedBytes: 0, totalBytes: 0 });
  }

  private stream(hub: string): HubStream | undefined {
    const stream = this.streams.get(hub);
    return stream && !stream.ended ? stream : undefined;
  }

  /** More of `hub`'s lines, in its output order; ignored once it ended. False (nothing added) when they are not in order. */
  add(hub: string, lines: ReadonlyArray<{ key: ClusterKey; line: MatchedLine }>): boolean {
    const stream = this.stream(hub);
    if (stream === undefined) return true;
    let previous = stream.lines.at(-1)?.key ?? this.last;
    for (const { key } of lines) {
      if (previous !== undefined && compareClusterInOrder(this.order, key, previous) <= 0) return false;
      previous = key;
    }
    stream.lines.push(...lines);
    return true;
  }

  progress(hub: string, scannedBytes: number, totalBytes: number): void {
    const stream = this.streams.get(hub);
    if (stream === undefined) return;
    stream.scannedBytes = scannedBytes;
    stream.totalBytes = totalBytes;
  }

  /** `hub` sent everything; `more` when it stopped at its limit with matches left. */
  end(hub: string, more: boolean): void {
    const stream = this.stream(hub);
    if (stream === undefined) return;
    stream.ended = true;
    stream.more = more;
  }

  /** `hub` will send nothing more: the lines it sent still count, and the page is partial. */
  fail(hub: string, reason: string): void {
    const stream = this.stream(hub);
    if (stream === undefined) return;
    stream.ended = true;
    this.failed.push({ hubId: hub, reason });
  }

  /** Hubs that have not ended. */
  pending(): string[] {
    return [...this.streams].filter(([, stream]) => !stream.ended).map(([hub]) => hub);
  }

  /** True once the page is full or every hub ended and its lines were taken. */
  get finished(): boolean {
    return this.emitted >= this.limit || [...this.streams.values()].every((stream) => stream.ended && stream.head === stream.lines.length);
  }

  get count(): number {
    return this.emitted;
  }

  get failures(): readonly SearchHubFailure[] {
    return this.failed;
  }

  totals(): { scannedBytes: number; totalBytes: number } {
    let scannedBytes = 0;
    let totalBytes = 0;
    for (const stream of this.streams.values()) {
      scannedBytes += stream.scannedBytes;
      totalBytes += stream.totalBytes;
    }
    return { scannedBytes, totalBytes };
  }

  /** The lines that can be emitted now, in order, up to the page's limit. */
  take(): MatchedLine[] {
    const out: MatchedLine[] = [];
    const streams = [...this.streams.values()];
    while (this.emitted < this.limit) {
      let best: HubStream | undefined;
      for (const stream of streams) {
        if (stream.head === stream.lines.length) {
          if (stream.ended) continue;
          return this.compact(out); // This hub's next line could sort first: wait for it.
        }
        if (best === undefined || compareClusterInOrder(this.order, stream.lines[stream.head]!.key, best.lines[best.head]!.key) < 0) best = stream;
      }
      if (best === undefined) break;
      const hit = best.lines[best.head]!;
      best.head += 1;
      this.emitted += 1;
      this.last = hit.key;
      out.push(hit.line);
    }
    return this.compact(out);
  }

  private compact(out: MatchedLine[]): MatchedLine[] {
    for (const stream of this.streams.values()) {
      if (stream.head > 1024 && stream.head * 2 > stream.lines.length) {
        stream.lines = stream.lines.slice(stream.head);
        stream.head = 0;
      }
    }
    return out;
  }

  /** The key of the last line emitted, when more matches may follow it: the next page starts right after. */
  cursor(): ClusterKey | undefined {
    if (this.last === undefined || this.emitted < this.limit) return undefined;
    const more = [...this.streams.values()].some((stream) => !stream.ended || stream.more || stream.head < stream.lines.length);
    return more ? this.last : undefined;
  }
}
