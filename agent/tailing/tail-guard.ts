/**
 * How many bytes before the read offset are remembered and read again with the next read: if they
 * changed, the file was truncated since (copytruncate), even if it was already rewritten past our
 * offset, which its size cannot show. Enough to span several lines, so that old and rewritten
 * contents that merely end alike (padding, then '\n') are told apart. Each read takes them along in
 * the same call, so more costs no extra I/O.
 */
export const TAIL_CHECK_BYTES = 256;
const NEWLINE = Buffer.from('\n');
const NOTHING = Buffer.alloc(0);

/**
 * The last bytes a tailer read before its read offset, so the next read can take them along (the
 * same read call, no extra I/O) and check that they are still there.
 */
export class TailGuard {
  private readonly tail = Buffer.alloc(TAIL_CHECK_BYTES);
  private length = 0;
  /** The file offset the remembered bytes end at; -1 when nothing is remembered. */
  private end = -1;

  /**
   * The bytes expected just before `offset`. Without a remembered tail (just opened or rewound) a
   * line boundary's '\n' is the next best check; in the middle of a line, nothing can be checked.
   */
  expectedBefore(offset: number, atLineBoundary: boolean): Buffer {
    if (this.end === offset && this.length > 0) return this.tail.subarray(0, this.length);
    return offset > 0 && atLineBoundary ? NEWLINE : NOTHING;
  }

  /** Remembers the last bytes of `bytes[0, end)`, which are the file's bytes just before `offset`. */
  remember(bytes: Buffer, end: number, offset: number): void {
    this.length = Math.min(TAIL_CHECK_BYTES, end);
    bytes.copy(this.tail, 0, end - this.length, end);
    this.end = offset;
  }

  forget(): void {
    this.end = -1;
  }
}
