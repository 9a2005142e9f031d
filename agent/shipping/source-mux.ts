import type { AgentWelcome } from '../../protocol/node.js';
import type { LineSource, TailerSource } from './batch-sender.js';

/** A source besides the files (the journal) that keeps its own offsets and acknowledgements. */
export interface OwnSource extends LineSource {
  readonly fileId: string;
  wantsRead(): boolean;
  acknowledge(gen: string, endOffset: number): void;
  /** Everything unacknowledged goes out again, cut at `maxLineBytes` if given. */
  rewind(maxLineBytes?: number): void;
  /** The hub already holds this source up to `offset` (welcome resume point; undefined: none). */
  resumeAt(offset: number | undefined): void;
}

/** The files and the other sources behind one TailerSource, taking turns. */
export class SourceMux implements TailerSource {
  private turn = 0;

  constructor(
    private readonly files: TailerSource,
    private readonly own: readonly OwnSource[],
  ) {}

  nextReadable(): LineSource | undefined {
    const count = this.own.length + 1;
    for (let step = 0; step < count; step += 1) {
      const index = (this.turn + step) % count;
      const source = index === this.own.length ? this.files.nextReadable() : this.own[index]!.wantsRead() ? this.own[index] : undefined;
      if (source === undefined) continue;
      this.turn = (index + 1) % count;
      return source;
    }
    return undefined;
  }

  acknowledge(source: LineSource, gen: string, endOffset: number): void {
    const own = this.own.find((candidate) => candidate === source);
    if (own) own.acknowledge(gen, endOffset);
    else this.files.acknowledge(source, gen, endOffset);
  }

  rewindAll(maxLineBytes?: number): void {
    this.files.rewindAll(maxLineBytes);
    for (const source of this.own) source.rewind(maxLineBytes);
  }

  setResumePoints(points: AgentWelcome['resume']): void {
    this.files.setResumePoints(points);
    for (const source of this.own) {
      const point = points.find((candidate) => candidate.fileId === source.fileId);
      source.resumeAt(point?.offset);
    }
  }
}
