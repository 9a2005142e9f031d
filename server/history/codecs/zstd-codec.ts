/**
 * Zstandard block codec for the history store (chosen by bench/history-codecs.ts; the figures and
 * the reasons are in docs/performance.md, "History block compression"). One zstd frame per block,
 * with zstd's content checksum so a damaged block is refused rather than read back as wrong lines.
 */
import binding from 'zstd-napi/binding.js';
import type { BlockCodec } from '../block-codec.js';
import { CorruptBlockError } from '../history-reader.js';

/** On log lines level 1 packs as tight as 3 (zstd's default) and compresses faster. */
const LEVEL = 1;

/** zstd compression of history blocks; contexts are reused (this runs on the hub's one thread). */
export class ZstdCodec implements BlockCodec {
  readonly id = 1;
  readonly name = `zstd-${LEVEL}`;
  private readonly cctx = new binding.CCtx();
  private readonly dctx = new binding.DCtx();
  private scratch = Buffer.alloc(0);

  constructor() {
    this.cctx.setParameter(binding.CParameter.compressionLevel, LEVEL);
    this.cctx.setParameter(binding.CParameter.checksumFlag, 1);
  }

  encode(raw: Buffer): Buffer {
    const bound = binding.compressBound(raw.length);
    if (this.scratch.length < bound) this.scratch = Buffer.allocUnsafe(bound);
    const length = this.cctx.compress2(this.scratch, raw);
    return Buffer.from(this.scratch.subarray(0, length));
  }

  /** The block's bytes; throws CorruptBlockError when `packed` is damaged or not `rawLength` bytes long. */
  decode(packed: Buffer, rawLength: number): Buffer {
    if (!Number.isSafeInteger(rawLength) || rawLength < 0) throw new CorruptBlockError(`bad raw length ${rawLength}`);
    // The output is sized by the length the index recorded, never by the frame's own header.
    const out = Buffer.allocUnsafe(rawLength);
    let length: number;
    try {
      length = this.dctx.decompress(out, packed);
    } catch (error) {
      throw new CorruptBlockError(`zstd block does not decompress: ${(error as Error).message}`, { cause: error });
    }
    if (length !== rawLength) throw new CorruptBlockError(`zstd block holds ${length} bytes, expected ${rawLength}`);
    return out;
  }
}
