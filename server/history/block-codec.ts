/**
 * How a block's bytes are compressed. The codec's id is written in every block header, so blocks
 * written with one codec stay readable after the default changes.
 */
export interface BlockCodec {
  /** Stored in the block header; never reuse an id for another format. */
  readonly id: number;
  readonly name: string;
  /** A buffer of its own: `raw` may be reused once this returns. */
  encode(raw: Buffer): Buffer;
  /** `rawLength` is the length `encode` was given, for codecs that need it up front. */
  decode(data: Buffer, rawLength: number): Buffer;
}

/** Codecs a hub can read, by id. */
export type CodecsById = ReadonlyMap<number, BlockCodec>;
