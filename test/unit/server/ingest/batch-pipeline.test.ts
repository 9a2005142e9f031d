import { describe, expect, it } from 'vitest';
import { ownedBody } from '../../../../server/ingest/batch-pipeline.js';

describe('ownedBody', () => {
  it('copies a body that is a small part of a larger socket read, so the read is not pinned', () => {
    const read = Buffer.alloc(64 * 1024, 0x61);
    const body = read.subarray(100, 4196);
    const kept = ownedBody(body);
    expect(kept.buffer).not.toBe(read.buffer);
    expect(kept.buffer.byteLength).toBeLessThan(read.buffer.byteLength);
    expect(kept.equals(body)).toBe(true);
    // The copy does not follow later changes to the read's memory.
    read.fill(0x62);
    expect(kept[0]).toBe(0x61);
  });

  it('keeps a body that fills most of its own buffer (a frame joined from several reads)', () => {
    const frame = Buffer.allocUnsafeSlow(512 * 1024);
    const body = frame.subarray(300);
    expect(ownedBody(body)).toBe(body);
  });
});
