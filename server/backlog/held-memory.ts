/**
 * The memory a set of Buffers really keeps alive, as opposed to the sum of their lengths.
 *
 * A small Buffer (under half of `Buffer.poolSize`: 8 KiB before Node 24.18, 64 KiB since) made by
 * `Buffer.from` or `allocUnsafe` is a view into one of Node's shared pool slabs, and the whole slab
 * stays allocated while any view into it is reachable; a view into a socket read holds the whole read.
 * Counting each distinct underlying ArrayBuffer once, for as long as at least one held Buffer uses
 * it, gives what dropping all of them would free: the figure a memory bound has to be about.
 */
export class HeldMemory {
  /** Underlying allocation -> how many held Buffers use it. */
  private readonly users = new Map<ArrayBufferLike, number>();
  private held = 0;

  /** Bytes of the distinct allocations currently held. */
  get bytes(): number {
    return this.held;
  }

  /** Starts holding `buffer`; returns the bytes this added (0 when its allocation was already held). */
  hold(buffer: Buffer): number {
    const allocation = buffer.buffer;
    const count = this.users.get(allocation) ?? 0;
    this.users.set(allocation, count + 1);
    if (count > 0) return 0;
    this.held += allocation.byteLength;
    return allocation.byteLength;
  }

  /** Stops holding `buffer` (held once per hold); returns the bytes this freed. */
  release(buffer: Buffer): number {
    const allocation = buffer.buffer;
    const count = this.users.get(allocation);
    if (count === undefined) return 0;
    if (count > 1) {
      this.users.set(allocation, count - 1);
      return 0;
    }
    this.users.delete(allocation);
    this.held -= allocation.byteLength;
    return allocation.byteLength;
  }
}
