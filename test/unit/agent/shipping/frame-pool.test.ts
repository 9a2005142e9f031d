import { describe, expect, it } from 'vitest';
import { FramePool } from '../../../../agent/shipping/frame-pool.js';
import { decodeLinesFrame, encodeLinesFrame, encodeLinesFrameInto, type LinesHeader } from '../../../../protocol/node.js';

const header: LinesHeader = { batch: 1, file: '/var/log/app.log', fileId: 'ff.0badf00d', offset: 0, endOffset: 6, lineCount: 2, ts: 1 };

describe('FramePool', () => {
  it('hands a released buffer out again instead of allocating', () => {
    const pool = new FramePool(1024, 2);
    const first = pool.acquire();
    pool.release(first);
    expect(pool.acquire()).toBe(first);
  });

  it('keeps at most maxPooled buffers', () => {
    const pool = new FramePool(64, 1);
    const [a, b] = [pool.acquire(), pool.acquire()];
    pool.release(a);
    pool.release(b);
    expect(pool.acquire()).toBe(a);
    expect(pool.acquire()).not.toBe(b);
  });
});

describe('encodeLinesFrameInto', () => {
  it('writes the same frame as encodeLinesFrame into a reused buffer', () => {
    const body = Buffer.from('one\ntwo\n');
    const target = Buffer.alloc(4096, 0xee);
    const frame = encodeLinesFrameInto(target, header, body);
    expect(frame?.buffer).toBe(target.buffer);
    expect(frame?.equals(encodeLinesFrame(header, body))).toBe(true);
    expect(decodeLinesFrame(frame as Buffer)).toMatchObject({ header, body });
  });

  it('declines a frame that does not fit', () => {
    expect(encodeLinesFrameInto(Buffer.alloc(16), header, Buffer.from('one\ntwo\n'))).toBeUndefined();
  });
});
