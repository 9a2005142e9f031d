import type { Logger } from '../../lib/logger.js';
import { encodeLinesFrame, encodeLinesFrameInto, type AgentWelcome, type LinesHeader } from '../../protocol/node.js';
import type { SendCounters } from '../agent-stats.js';
import { EdgeRedaction } from './edge-redaction.js';
import { minReadBufferBytes, type ReadBatch } from '../tailing/file-tailer.js';
import { FramePool } from './frame-pool.js';
import { InflightWindow } from './inflight-window.js';
import { monotonicNow } from '../monotonic-clock.js';

/**
 * Frames queued in the socket (ws `bufferedAmount`) above which no more are sent until the socket
 * has drained: the in-flight window bounds what the hub has not acknowledged, this bounds what has
 * not even left the process.
 */
const MAX_SOCKET_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Room kept in a frame for its JSON header (the path alone may be 4 KiB, more once escaped). */
const FRAME_HEADER_RESERVE_BYTES = 32 * 1024;
/**
 * Batches smaller than this get a frame of their own size (from Node's shared buffer pool when under
 * 4 KiB) instead of a pooled half-megabyte frame. Small batches are the live case, many files each
 * read as soon as they change: their frames go out together at the end of the event-loop turn (see
 * TurnWriteCoalescer), and holding a pooled frame for each would empty the pool and allocate (and
 * garbage-collect) half a megabyte per small batch.
 */
const SMALL_BATCH_BYTES = 16 * 1024;
/**
 * Batches from SMALL_BATCH_BYTES up to this size take a frame from a pool of smaller frames: the
 * live case's larger batches (many files read in one round, one fast file). Half-megabyte frames
 * for them would empty the big pool every round; frames of their own size would leave megabytes a
 * second to the garbage collector (docs/performance.md, "Decisions").
 */
const MID_BATCH_BYTES = 64 * 1024;
/** Mid-size frames kept for reuse: a round of many files read together, with room to spare. */
const MID_FRAMES_POOLED = 32;
/** After a failed read, a file is left alone this long before the next try. */
const READ_RETRY_MS = 1_000;
/**
 * Reads that bring no batch in a row before the sender lets the event loop run. Such reads are
 * synchronous and awaited as settled promises, so without a pause a file that kept wanting a read
 * it could not satisfy (a stale size after a truncation, say) would hold the event loop for good:
 * no acks, heartbeats or stats. Above what one poll's look at every file takes for the usual number
 * of files.
 */
export const EMPTY_READS_BEFORE_YIELD = 64;

/** The connection as the sender sees it. */
export interface FrameSink {
  readonly ready: boolean;
  readonly epoch: number;
  readonly bufferedAmount: number;
  send(frame: Buffer, onWritten: () => void): void;
}

/** Lines read from one source (a file, the journal), ready to be framed. */
export type SourceBatch = Omit<ReadBatch, 'tailer'> & { tailer: LineSource };

/** One followed source as the sender sees it: a file (FileTailer) or the journal (JournalSource). */
export interface LineSource {
  readonly reportPath: string;
  /** The next batch, its body read into `buffer` (at least minReadBufferBytes long); undefined when there is none. */
  readBatch(buffer: Buffer, maxBodyBytes: number): Promise<SourceBatch | undefined>;
  /** A read failed: leave the source alone until `until` (monotonicNow). */
  suspend(until: number): void;
  /** Forget what was sent and not acknowledged: it is read again. */
  rewind(): void;
}

/** The followed sources as the sender sees them. */
export interface TailerSource {
  nextReadable(): LineSource | undefined;
  acknowledge(source: LineSource, gen: string, endOffset: number): void;
  rewindAll(maxLineBytes?: number): void;
  setResumePoints(points: AgentWelcome['resume']): void;
}

export interface SenderOptions {
  batchMaxBytes: number;
  maxInflightBytes: number;
  maxLineBytes: number;
}

interface Unacked {
  tailer: LineSource;
  gen: string;
  endOffset: number;
}

/**
 * Reads batches from the followed files, round robin, and sends them while the hub keeps up: it stops
 * when the in-flight window is full (an ack resumes it), when the socket's own buffer is full (the
 * write callback resumes it), or when no file has anything new (a file event or the poll resumes it).
 * Nothing is queued in between: each batch is read from disk just before it is sent.
 */
export class BatchSender {
  private readonly window: InflightWindow<Unacked>;
  /** The one read buffer, reused for every read: a batch body is copied into its frame before the next read. */
  private readonly buffer: Buffer;
  private readonly frames: FramePool;
  private readonly midFrames = new FramePool(MID_BATCH_BYTES + FRAME_HEADER_RESERVE_BYTES, MID_FRAMES_POOLED);
  /** The hub's redaction rules, applied to each batch before it is framed. */
  private readonly redaction: EdgeRedaction;
  private maxLineBytes: number;
  private maxBodyBytes: number;
  private wanted = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly resume = (): void => this.kick();

  constructor(
    private readonly options: SenderOptions,
    private readonly files: TailerSource,
    private readonly sink: FrameSink,
    private readonly counters: SendCounters,
    private readonly logger: Logger,
  ) {
    this.window = new InflightWindow(options.maxInflightBytes);
    this.redaction = new EdgeRedaction(logger);
    this.maxLineBytes = options.maxLineBytes;
    this.maxBodyBytes = options.batchMaxBytes;
    this.buffer = Buffer.allocUnsafe(Math.max(options.batchMaxBytes, minReadBufferBytes(options.maxLineBytes)));
    // Enough frames for what the socket may hold queued, plus the one being filled.
    this.frames = new FramePool(options.batchMaxBytes + FRAME_HEADER_RESERVE_BYTES, Math.ceil(MAX_SOCKET_BUFFERED_BYTES / options.batchMaxBytes) + 2);
  }

  get inflightBytes(): number {
    return this.window.inflightBytes;
  }

  /** Something may be ready to send: run the loop unless it is running (then it goes round once more). */
  kick(): void {
    this.wanted = true;
    if (this.running || this.stopped) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  onWelcome(welcome: AgentWelcome): void {
    // Each side may be configured lower than the other, never higher: the smaller limit wins.
    this.maxLineBytes = Math.min(this.options.maxLineBytes, welcome.limits.maxLineBytes);
    this.maxBodyBytes = Math.max(1, Math.min(this.options.batchMaxBytes, welcome.limits.maxFrameBytes - FRAME_HEADER_RESERVE_BYTES));
    this.redaction.adopt(welcome.redaction);
    this.window.reset();
    this.files.rewindAll(this.maxLineBytes);
    this.files.setResumePoints(welcome.resume);
    this.kick();
  }

  onAck(batch: number): void {
    const { settled, beyondSent } = this.window.ack(batch);
    if (beyondSent) this.logger.warn({ batch }, 'hub acknowledged a batch that was never sent');
    for (const { item } of settled) this.files.acknowledge(item.tailer, item.gen, item.endOffset);
    this.counters.batchesAcked += settled.length;
    this.kick();
  }

  /** Nothing in flight will be acknowledged now: read it all again after the next welcome. */
  onDisconnect(): void {
    this.window.reset();
    this.files.rewindAll();
    this.files.setResumePoints([]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      await this.drain();
    }
  }

  /** Sends until the window, the socket or the files run dry; each round reads one batch or finds a file idle. */
  private async drain(): Promise<void> {
    let emptyReads = 0;
    while (!this.stopped && this.sink.ready && this.window.hasRoom() && this.sink.bufferedAmount <= MAX_SOCKET_BUFFERED_BYTES) {
      const tailer = this.files.nextReadable();
      if (!tailer) return;
      const epoch = this.sink.epoch;
      const maxBody = Math.min(this.maxBodyBytes, this.window.roomBytes);
      // Never less than minReadBufferBytes, even with little room in the window: a smaller full buffer
      // could hold no line end.
      const readBytes = Math.min(this.buffer.length, Math.max(maxBody, minReadBufferBytes(this.maxLineBytes)));
      let batch: SourceBatch | undefined;
      try {
        batch = await tailer.readBatch(this.buffer.subarray(0, readBytes), maxBody);
      } catch (error) {
        this.logger.warn({ err: error, file: tailer.reportPath }, 'cannot read file; will retry');
        tailer.suspend(monotonicNow() + READ_RETRY_MS);
        continue;
      }
      if (!batch) {
        emptyReads += 1;
        if (emptyReads % EMPTY_READS_BEFORE_YIELD === 0) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      emptyReads = 0;
      if (this.sink.epoch !== epoch || !this.sink.ready) {
        // The connection changed while we read: these lines go out again from the acknowledged offset.
        tailer.rewind();
        continue;
      }
      this.send(batch);
    }
  }

  private send(batch: SourceBatch): void {
    const number = this.window.nextBatchNumber();
    const { body, truncated, digest, counts } = this.redaction.apply(batch.body, batch.truncated, Math.max(this.maxBodyBytes, batch.body.length));
    const header: LinesHeader = {
      batch: number,
      file: batch.file,
      fileId: batch.fileId,
      offset: batch.offset,
      endOffset: batch.endOffset,
      lineCount: batch.lineCount,
      ts: batch.ts,
    };
    if (batch.rawLines !== undefined) header.rawLines = batch.rawLines;
    if (truncated.length > 0) header.truncated = truncated;
    if (batch.droppedBytes > 0) header.droppedBytes = batch.droppedBytes;
    if (digest !== undefined) header.redaction = digest;
    if (counts !== undefined) header.redactions = counts;
    // Encoding copies the body out of the shared read buffer, which the next read overwrites, into a
    // pooled frame, half a megabyte or a mid-size one (or, for a small batch or the rare batch too big
    // for its frame, a frame of its own).
    this.window.add(number, body.length, { tailer: batch.tailer, gen: batch.gen, endOffset: batch.endOffset });
    if (body.length < SMALL_BATCH_BYTES) {
      this.sink.send(encodeLinesFrame(header, body), this.resume);
    } else {
      const pool = body.length < MID_BATCH_BYTES ? this.midFrames : this.frames;
      const pooled = pool.acquire();
      const frame = encodeLinesFrameInto(pooled, header, body);
      if (frame) {
        this.sink.send(frame, () => {
          pool.release(pooled);
          this.kick();
        });
      } else {
        pool.release(pooled);
        this.sink.send(encodeLinesFrame(header, body), this.resume);
      }
    }
    this.counters.batchesSent += 1;
    this.counters.linesRead += batch.lineCount;
    this.counters.bytesRead += batch.body.length;
    this.counters.truncatedLines += batch.truncated.length;
    this.counters.droppedBytes += batch.droppedBytes;
  }
}
