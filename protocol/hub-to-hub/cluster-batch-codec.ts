import { z } from 'zod';
import { CLUSTER_BATCH_KIND, clusterBatchHeaderSchema, type ClusterBatchHeader } from './cluster-batch.js';

// Node-only (Buffer), like lines-frame-codec.ts: the browser bundle never imports it.

const PREFIX_BYTES = 5;
/** A real header is a few hundred bytes: a path and the offsets of cut lines. */
const MAX_CLUSTER_HEADER_BYTES = 256 * 1024;

class ClusterFrameError extends Error {}

export function encodeClusterBatch(header: ClusterBatchHeader, body: Buffer): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + json.length + body.length);
  frame[0] = CLUSTER_BATCH_KIND;
  frame.writeUInt32BE(json.length, 1);
  json.copy(frame, PREFIX_BYTES);
  body.copy(frame, PREFIX_BYTES + json.length);
  return frame;
}

/** Parses and validates a published batch; the body is a view into `data`. */
export function decodeClusterBatch(data: Uint8Array): { header: ClusterBatchHeader; body: Buffer } {
  const frame = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (frame.length < PREFIX_BYTES || frame[0] !== CLUSTER_BATCH_KIND) throw new ClusterFrameError('not a cluster batch');
  const headerLength = frame.readUInt32BE(1);
  if (headerLength > MAX_CLUSTER_HEADER_BYTES || PREFIX_BYTES + headerLength > frame.length) {
    throw new ClusterFrameError(`cluster batch header of ${headerLength} bytes does not fit`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(frame.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch (cause) {
    throw new ClusterFrameError('cluster batch header is not JSON', { cause });
  }
  const parsed = clusterBatchHeaderSchema.safeParse(raw);
  if (!parsed.success) throw new ClusterFrameError(`invalid cluster batch header: ${z.prettifyError(parsed.error)}`);
  const body = frame.subarray(PREFIX_BYTES + headerLength);
  if (body.length === 0 || body[body.length - 1] !== 0x0a) throw new ClusterFrameError('cluster batch body must end with a newline');
  return { header: parsed.data, body };
}
