import { describe, expect, it } from 'vitest';
import type { StoredBatch } from '../../../../server/backlog/backlog.js';
import { BatchPipeline, ownedBody, type BatchPipelineDeps } from '../../../../server/ingest/batch-pipeline.js';
import type { Source } from '../../../../server/ingest/source-registry.js';

/**
 * Whether `buffer` is alone in its allocation, keeping alive no memory but its own bytes. Asked of
 * the allocation rather than compared with a size: Node's shared Buffer pool (`Buffer.poolSize`) was
 * 8 KiB up to Node 24.17 and is 64 KiB since, as large as a socket read.
 */
function ownsItsMemory(buffer: Buffer): boolean {
  return buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length;
}

describe('ownedBody', () => {
  it('copies a body that is a small part of a larger socket read, so the read is not pinned', () => {
    const read = Buffer.alloc(64 * 1024, 0x61);
    const body = read.subarray(100, 4196);
    const kept = ownedBody(body);
    expect(kept.buffer).not.toBe(read.buffer);
    expect(ownsItsMemory(kept)).toBe(true);
    expect(kept.equals(body)).toBe(true);
    // The copy does not follow later changes to the read's memory.
    read.fill(0x62);
    expect(kept[0]).toBe(0x61);
  });

  it('copies a small body out of a shared pool slab', () => {
    const pooled = Buffer.from('a line\n'.repeat(10));
    expect(pooled.buffer.byteLength).toBe(Buffer.poolSize);
    const kept = ownedBody(pooled);
    expect(ownsItsMemory(kept)).toBe(true);
    expect(kept.equals(pooled)).toBe(true);
  });

  it('keeps a body that fills most of its own buffer (a frame joined from several reads)', () => {
    const frame = Buffer.allocUnsafeSlow(512 * 1024);
    const body = frame.subarray(300);
    expect(ownedBody(body)).toBe(body);
  });
});

describe('BatchPipeline.take', () => {
  /** A pipeline that only stores: no filters, no subscribers, no redactor. */
  function storingPipeline(maxLineBytes: number, extra: Partial<BatchPipelineDeps> = {}): { pipeline: BatchPipeline; stored: StoredBatch[] } {
    const stored: StoredBatch[] = [];
    const counter = { inc: () => {} };
    const deps = {
      registry: { noteTaken: (source: Source, bytes: number) => void (source.pos += bytes) },
      backlog: { append: (_source: Source, batch: StoredBatch) => void stored.push(batch) },
      engine: { matchBatch: () => [] },
      router: { dispatch: () => 0 },
      metrics: { truncatedLines: counter, linesMatched: counter, redactionScans: { labels: () => counter } },
      maxLineBytes,
      ...extra,
    } as unknown as BatchPipelineDeps;
    return { pipeline: new BatchPipeline(deps), stored };
  }

  it('stores a body the line limit rebuilt in memory of its own, not in a pool slab', () => {
    const { pipeline, stored } = storingPipeline(16);
    const source = { host: 'h', file: 'f', idPrefix: 'p-', num: 1, pos: 0 } as unknown as Source;
    const read = Buffer.alloc(64 * 1024, 0x0a);
    read.write(`short\n${'x'.repeat(100)}\nshort\n`, 1000);
    pipeline.take(source, { body: read.subarray(1000, 1113), ts: 0, lineCount: 3 });
    const body = stored[0]!.body;
    expect(body.toString()).toBe(`short\n${'x'.repeat(16)}\nshort\n`);
    expect(ownsItsMemory(body)).toBe(true);
  });

  it('appends each batch to history, redacted and at its position, with its resume mark, before the next batch', () => {
    const appended: { text: string; firstPos: number; resume: unknown }[] = [];
    const history = { append: (_source: Source, batch: StoredBatch, resume: unknown) => void appended.push({ text: batch.body.toString(), firstPos: batch.firstPos, resume }) };
    const redactor = { ruleNames: [], redactBody: (body: Buffer) => ({ body: Buffer.from(body.toString().replace('hunter2', '[REDACTED]')), truncated: undefined }) };
    const { pipeline } = storingPipeline(1024, { history, redactor } as unknown as Partial<BatchPipelineDeps>);
    const source = { host: 'h', file: 'f', idPrefix: 'p-', num: 1, pos: 0 } as unknown as Source;
    const resume = { fileId: 'x.1', endOffset: 16, token: undefined };
    pipeline.take(source, { body: Buffer.from('pw=hunter2\n'), ts: 0, lineCount: 1, resume });
    pipeline.take(source, { body: Buffer.from('two\n'), ts: 0, lineCount: 1 });
    expect(appended).toEqual([
      { text: 'pw=[REDACTED]\n', firstPos: 0, resume },
      { text: 'two\n', firstPos: 14, resume: undefined },
    ]);
  });
});
