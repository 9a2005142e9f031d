import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { monotonicNow } from '../monotonic-clock.js';

/**
 * Synchronous reads slower than this, SLOW_READS_IN_A_ROW times in a row, mean the file is not in the
 * page cache or not on a local disk (a cold disk, a network file system): its reads move to the
 * thread pool for good. One slow read is not enough: on a busy machine the process is often
 * descheduled for tens of milliseconds in the middle of a read served from memory.
 */
export const SLOW_READ_MS = 20;
export const SLOW_READS_IN_A_ROW = 3;

/**
 * Reads a file at a position. Appended log lines are nearly always in the page cache, where a
 * synchronous pread costs several times less CPU than the same read through the thread pool
 * (FileHandle.read: thread hand-offs, a wake-up of the event loop and a promise). A busy file is
 * read hundreds of times a second, so that difference matters.
 *
 * A synchronous read blocks the event loop (acks, heartbeats, other files) while it lasts, so a file
 * whose reads keep taking longer than SLOW_READ_MS moves to the thread pool.
 */
export class PositionalReader {
  private synchronous = true;
  private slowReadsInARow = 0;

  constructor(
    private readonly handle: FileHandle,
    /** Told once, when the reads of this file move to the thread pool (with the last read's duration). */
    private readonly onSlowRead: (tookMs: number) => void,
  ) {}

  /** Fills `buffer` from `position` on as far as the file goes; the number of bytes read. */
  async read(buffer: Buffer, position: number): Promise<number> {
    if (!this.synchronous) return (await this.handle.read(buffer, 0, buffer.length, position)).bytesRead;
    const startedAt = monotonicNow();
    const bytesRead = readSync(this.handle.fd, buffer, 0, buffer.length, position);
    const tookMs = monotonicNow() - startedAt;
    this.slowReadsInARow = tookMs > SLOW_READ_MS ? this.slowReadsInARow + 1 : 0;
    if (this.slowReadsInARow >= SLOW_READS_IN_A_ROW) {
      this.synchronous = false;
      this.onSlowRead(tookMs);
    }
    return bytesRead;
  }
}
