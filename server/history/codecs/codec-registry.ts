import type { BlockCodec, CodecsById } from '../block-codec.js';
import { ZstdCodec } from './zstd-codec.js';

/** What new blocks are written with (chosen by bench/history-codecs.ts; see docs/performance.md). */
export const defaultBlockCodec: BlockCodec = new ZstdCodec();

/** Every codec a hub can read blocks of, by the id in their header. */
export const BLOCK_CODECS: CodecsById = new Map([[defaultBlockCodec.id, defaultBlockCodec]]);
