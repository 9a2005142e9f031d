import { describe, expect, it } from 'vitest';
import { newSendCounters } from '../../../../agent/agent-stats.js';
import { BatchSender, EMPTY_READS_BEFORE_YIELD, type FrameSink, type TailerSource } from '../../../../agent/shipping/batch-sender.js';
import type { FileTailer } from '../../../../agent/tailing/file-tailer.js';
import { silentLogger } from '../../../../lib/logger.js';

describe('BatchSender', () => {
  it('lets the event loop run while a file keeps wanting reads that bring nothing', async () => {
    const READS = 20 * EMPTY_READS_BEFORE_YIELD;
    let reads = 0;
    const emptyFile = {
      reportPath: '/var/log/app.log',
      readBatch: async () => {
        reads += 1;
        return undefined;
      },
      suspend: () => {},
    } as unknown as FileTailer;
    // The file wants a read READS times, then nothing: without the pause the loop would run them all
    // before anything else could.
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    const files: TailerSource = {
      nextReadable: () => {
        if (reads < READS) return emptyFile;
        finished();
        return undefined;
      },
      acknowledge: () => {},
      rewindAll: () => {},
      setResumePoints: () => {},
    };
    const sink: FrameSink = { ready: true, epoch: 1, bufferedAmount: 0, send: () => {} };
    const sender = new BatchSender({ batchMaxBytes: 64 * 1024, maxInflightBytes: 1 << 20, maxLineBytes: 4096 }, files, sink, newSendCounters(), silentLogger());
    let readsWhenTheLoopRan: number | undefined;
    setImmediate(() => {
      readsWhenTheLoopRan = reads;
    });

    sender.kick();
    await done;
    await sender.stop();

    expect(reads).toBe(READS);
    expect(readsWhenTheLoopRan).toBeLessThanOrEqual(EMPTY_READS_BEFORE_YIELD);
  });
});
