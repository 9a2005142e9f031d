import type { BatchRef } from '../filter/batch-lines.js';

/** Thrown by the readers below for bytes that do not parse; callers turn it into their own error. */
export class MalformedError extends Error {}

/** Parts at least this large are handed on as they are by ByteWriter#toBuffers. */
const UNCOPIED_PART_BYTES = 4096;

/** Appends fields to a growing list of buffers. */
export class ByteWriter {
  private readonly parts: Buffer[] = [];
  length = 0;

  u8(value: number): this {
    return this.push(Buffer.of(value));
  }

  u32(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value);
    return this.push(b);
  }

  f64(value: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(value);
    return this.push(b);
  }

  /** A length-prefixed UTF-8 string. */
  text(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    return this.u32(bytes.length).push(bytes);
  }

  bytes(value: Buffer): this {
    return this.push(value);
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  /** The bytes copied into `target` (at least `length` long); returns the part of it they fill. */
  copyTo(target: Buffer): Buffer {
    let at = 0;
    for (const part of this.parts) at += part.copy(target, at);
    return target.subarray(0, at);
  }

  /** The bytes as a list, large parts (batch bodies) as they are, runs of small fields joined into one buffer. */
  toBuffers(): Buffer[] {
    const out: Buffer[] = [];
    let run: Buffer[] = [];
    const flush = () => {
      if (run.length > 0) out.push(run.length === 1 ? run[0]! : Buffer.concat(run));
      run = [];
    };
    for (const part of this.parts) {
      if (part.length < UNCOPIED_PART_BYTES) {
        run.push(part);
      } else {
        flush();
        out.push(part);
      }
    }
    flush();
    return out;
  }
}

/** Reads fields in order; every read past the end throws MalformedError. */
export class ByteReader {
  offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private take(length: number): number {
    if (length < 0 || this.offset + length > this.buffer.length) throw new MalformedError('unexpected end of record');
    const at = this.offset;
    this.offset += length;
    return at;
  }

  u8(): number {
    return this.buffer[this.take(1)]!;
  }

  u32(): number {
    return this.buffer.readUInt32LE(this.take(4));
  }

  f64(): number {
    return this.buffer.readDoubleLE(this.take(8));
  }

  text(): string {
    const length = this.u32();
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  bytes(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }
}

/** Writes one batch: ts, firstPos, truncated offsets, body. */
export function writeBatch(out: ByteWriter, batch: BatchRef): void {
  out.f64(batch.ts).f64(batch.firstPos).u32(batch.body.length);
  const truncated = batch.truncated ? [...batch.truncated] : [];
  out.u32(truncated.length);
  for (const offset of truncated) out.u32(offset);
  out.bytes(batch.body);
}

/** Reads a batch written by writeBatch; its body is a view into the reader's buffer. */
export function readBatch(input: ByteReader): BatchRef {
  const ts = input.f64();
  const firstPos = input.f64();
  const bodyLength = input.u32();
  const truncatedCount = input.u32();
  if (truncatedCount > input.remaining / 4) throw new MalformedError('truncated offsets past the end');
  const truncated = new Set<number>();
  for (let i = 0; i < truncatedCount; i += 1) truncated.add(input.u32());
  const body = input.bytes(bodyLength);
  if (!Number.isSafeInteger(firstPos) || firstPos < 0 || !Number.isFinite(ts)) throw new MalformedError('bad batch header');
  if (body.length > 0 && body[body.length - 1] !== 0x0a) throw new MalformedError('batch body does not end a line');
  return { ts, firstPos, body, truncated: truncated.size > 0 ? truncated : undefined };
}
