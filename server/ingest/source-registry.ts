import type { ResumePoint, SourceAgent } from '../../protocol/index.js';
import type { SourceRef } from '../filter/batch-lines.js';
import { RateWindow } from './rate-window.js';

/** One file on one host, as the hub numbers it. */
export interface Source extends SourceRef {
  readonly num: number;
  /** Bytes of lines taken in so far: the stream position the next line gets. */
  pos: number;
  /** Reading time of the newest line taken in (ms since epoch). */
  lastTs: number | undefined;
  /** When the hub last took in a batch of this source (hub clock). */
  lastSeenMs: number;
  readonly rate: RateWindow;
}

interface HostState {
  /** Open agent connections for this host (a reconnecting agent may briefly have two). */
  connections: number;
  disconnectedAtMs: number;
  /** The agent token its agents connect with (undefined on a hub without agent tokens, or for other hubs' hosts). */
  token: string | undefined;
  /**
   * fileId -> how far the hub holds it and which token sent it; Map order is least recently written
   * first (LRU). Only the token that sent a file learns its resume point.
   */
  resume: Map<string, { file: string; offset: number; token: string | undefined }>;
  sources: Map<string, Source>;
}

export interface SourceRegistryOptions {
  hubId: string;
  /** Resume points kept per host (see HubConfig.resumeFileIdsPerHost). */
  resumeFileIdsPerHost: number;
  /** Disconnected hosts and silent sources are forgotten after this long. */
  forgetAfterMs: number;
  /** Files one host may have listed (HubConfig.maxFilesPerAgentHost); default unlimited. */
  maxFilesPerHost?: number;
  /** Files the hosts of one agent token may have listed together (HubConfig.maxFilesPerAgentToken); default unlimited. */
  maxFilesPerToken?: number;
  now?: () => number;
  /**
   * Numbers and positions kept across restarts (the history store): a (host, file) gets its old
   * number back and continues at the position history ends at. Absent: numbered from 1 each start.
   */
  numbering?: { sourceFor(host: string, file: string): { num: number; pos: number } } | undefined;
}

/**
 * Hosts, their files and resume points. A source is (host, file path); its number is part of every
 * line id, so a line can be found again without a per-line index.
 */
export class SourceRegistry {
  private readonly hosts = new Map<string, HostState>();
  private readonly byNumber = new Map<number, Source>();
  private nextNum = 1;
  private readonly now: () => number;

  constructor(private readonly options: SourceRegistryOptions) {
    this.now = options.now ?? Date.now;
  }

  private host(name: string): HostState {
    let host = this.hosts.get(name);
    if (!host) {
      host = { connections: 0, disconnectedAtMs: this.now(), token: undefined, resume: new Map(), sources: new Map() };
      this.hosts.set(name, host);
    }
    return host;
  }

  agentConnected(name: string, token?: string): void {
    const host = this.host(name);
    host.connections += 1;
    host.token = token;
  }

  /** Whether `name` is listed (connected, or not yet forgotten) under `token`. */
  hasHostOf(name: string, token: string | undefined): boolean {
    const host = this.hosts.get(name);
    return host !== undefined && host.token === token;
  }

  /** Hosts listed under `token` (connected, or not yet forgotten). */
  hostCountOf(token: string): number {
    let count = 0;
    for (const host of this.hosts.values()) if (host.token === token) count += 1;
    return count;
  }

  /**
   * Why a frame for a file the hub does not list yet may not add it (too many files for its host or
   * its token), or undefined when it may, or when the file is already listed.
   */
  newSourceProblem(name: string, file: string): string | undefined {
    const host = this.hosts.get(name);
    if (host?.sources.has(file)) return undefined;
    const { maxFilesPerHost, maxFilesPerToken } = this.options;
    if (maxFilesPerHost !== undefined && (host?.sources.size ?? 0) >= maxFilesPerHost) {
      return `host ${JSON.stringify(name)} already has ${maxFilesPerHost} files, the most this hub lists per host (maxFilesPerAgentHost); lines of ${JSON.stringify(file)} are dropped`;
    }
    const token = host?.token;
    if (maxFilesPerToken !== undefined && token !== undefined) {
      let files = 0;
      for (const other of this.hosts.values()) if (other.token === token) files += other.sources.size;
      if (files >= maxFilesPerToken) {
        return `this agent token's hosts already have ${maxFilesPerToken} files, the most this hub lists per token (maxFilesPerAgentToken); lines of ${JSON.stringify(file)} are dropped`;
      }
    }
    return undefined;
  }

  agentDisconnected(name: string): void {
    const host = this.hosts.get(name);
    if (!host) return;
    host.connections = Math.max(0, host.connections - 1);
    if (host.connections === 0) host.disconnectedAtMs = this.now();
  }

  get connectedAgents(): number {
    let count = 0;
    for (const host of this.hosts.values()) count += host.connections;
    return count;
  }

  /** Where the hub holds the host's files, for the welcome: only files that `token` sent. */
  resumePoints(name: string, token?: string): ResumePoint[] {
    const host = this.hosts.get(name);
    if (!host) return [];
    const points: ResumePoint[] = [];
    for (const [fileId, entry] of host.resume) {
      if (entry.token === token) points.push({ file: entry.file, fileId, offset: entry.offset });
    }
    return points;
  }

  /** How far the hub holds `fileId` of `host` as sent with `token`, if it remembers. */
  resumeOffset(name: string, fileId: string, token?: string): number | undefined {
    const entry = this.hosts.get(name)?.resume.get(fileId);
    return entry !== undefined && entry.token === token ? entry.offset : undefined;
  }

  /** Records that the hub holds `fileId` up to `endOffset`; evicts the least recently written fileId. */
  recordTaken(name: string, fileId: string, file: string, endOffset: number, token?: string): void {
    const resume = this.host(name).resume;
    resume.delete(fileId);
    resume.set(fileId, { file, offset: endOffset, token });
    if (resume.size > this.options.resumeFileIdsPerHost) resume.delete(resume.keys().next().value!);
  }

  /** The source for a host's file, created on first use. */
  source(name: string, file: string): Source {
    const host = this.host(name);
    let source = host.sources.get(file);
    if (!source) {
      const kept = this.options.numbering?.sourceFor(name, file);
      const num = kept?.num ?? this.nextNum++;
      source = {
        num,
        host: name,
        file,
        idPrefix: `${this.options.hubId}-${num}-`,
        pos: kept?.pos ?? 0,
        lastTs: undefined,
        lastSeenMs: this.now(),
        rate: new RateWindow(),
      };
      host.sources.set(file, source);
      this.byNumber.set(num, source);
    }
    return source;
  }

  /** Advances a source past a batch taken in, for rates and positions. */
  noteTaken(source: Source, bodyBytes: number, lineCount: number, ts: number): void {
    const now = this.now();
    source.pos += bodyBytes;
    source.lastTs = ts;
    source.lastSeenMs = now;
    source.rate.add(lineCount, now);
  }

  sources(): IterableIterator<Source> {
    return this.byNumber.values();
  }

  /** Resolves a line id to its source and stream position; undefined for ids of other hubs or forgotten sources. */
  resolveLineId(id: string): { source: Source; pos: number } | undefined {
    const last = id.lastIndexOf('-');
    const middle = id.lastIndexOf('-', last - 1);
    if (middle <= 0 || id.slice(0, middle) !== this.options.hubId) return undefined;
    const num = Number(id.slice(middle + 1, last));
    const pos = Number(id.slice(last + 1));
    if (!Number.isSafeInteger(num) || !Number.isSafeInteger(pos) || pos < 0) return undefined;
    const source = this.byNumber.get(num);
    return source ? { source, pos } : undefined;
  }

  /** Agents and their files with live rates, for the `sources` message. */
  snapshot(): SourceAgent[] {
    const now = this.now();
    return [...this.hosts].map(([name, host]) => ({
      host: name,
      connected: host.connections > 0,
      files: [...host.sources.values()].map((source) => ({
        path: source.file,
        linesPerSec: Math.round(source.rate.perSecond(now) * 10) / 10,
        ...(source.lastTs === undefined ? {} : { lastTs: source.lastTs }),
      })),
    }));
  }

  /**
   * Forgets hosts disconnected for longer than `forgetAfterMs` (with their resume points) and
   * sources silent for that long; `onForget` lets the backlog free their lines.
   */
  prune(onForget: (source: Source) => void): void {
    const cutoff = this.now() - this.options.forgetAfterMs;
    for (const [name, host] of this.hosts) {
      for (const [file, source] of host.sources) {
        if (source.lastSeenMs > cutoff && (host.connections > 0 || host.disconnectedAtMs > cutoff)) continue;
        host.sources.delete(file);
        this.byNumber.delete(source.num);
        onForget(source);
      }
      if (host.connections === 0 && host.disconnectedAtMs <= cutoff) this.hosts.delete(name);
    }
  }
}
