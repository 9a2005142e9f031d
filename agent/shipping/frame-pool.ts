/**
 * Frame buffers for reuse. Allocating a fresh half-megabyte frame per batch costs more than
 * everything else the agent does per batch: the allocator hands the memory back to the OS and every
 * new frame page-faults again. A buffer comes back to the pool only once the socket has written its
 * frame, so nothing still queued is ever overwritten.
 */
export class FramePool {
  private readonly free: Buffer[] = [];

  /**
   * @param frameBytes size of each buffer
   * @param maxPooled most buffers kept for reuse; the socket's buffered bound keeps the number in use
   *   near this, and any beyond it are left to the garbage collector
   */
  constructor(
    readonly frameBytes: number,
    private readonly maxPooled: number,
  ) {}

  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.frameBytes);
  }

  release(buffer: Buffer): void {
    if (this.free.length < this.maxPooled) this.free.push(buffer);
  }
}
