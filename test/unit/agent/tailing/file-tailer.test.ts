import { appendFile, open, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf, newGeneration } from '../../../../agent/tailing/file-identity.js';
import { FileTailer, minReadBufferBytes, type ReadBatch } from '../../../../agent/tailing/file-tailer.js';
import { silentLogger } from '../../../../lib/logger.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const MAX_LINE_BYTES = 4096;

function lines(from: number, count: number, pad: number): string {
  return Array.from({ length: count }, (_, i) => `L${String(from + i).padStart(6, '0')} ${'x'.repeat(pad)}\n`).join('');
}

describe('FileTailer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let handle: FileHandle | undefined;
  let tailer: FileTailer | undefined;
  // The smallest buffer the sender may pass (with little room in its window).
  const buffer = Buffer.alloc(minReadBufferBytes(MAX_LINE_BYTES));

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-tailer-'));
    file = join(dir, 'app.log');
  });
  afterEach(async () => {
    await tailer?.close();
    tailer = undefined;
    handle = undefined;
    await cleanup();
  });

  /** Follows the file from 0; `knownHead`: the first bytes the fingerprint was taken of (default: the file's own). */
  async function follow(knownHead?: Buffer): Promise<FileTailer> {
    handle = await open(file, 'r');
    const stats = await stat(file, { bigint: true });
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, 256, 0);
    tailer = new FileTailer({
      handle,
      reportPath: file,
      identity: { dev: String(stats.dev), ino: String(stats.ino), ...fingerprintOf(knownHead ?? head.subarray(0, bytesRead)), gen: newGeneration() },
      offset: 0,
      size: Number(stats.size),
      limits: { maxLineBytes: MAX_LINE_BYTES },
      logger: silentLogger(),
      onIdentityChange: () => {},
    });
    return tailer;
  }

  /** Reads until a batch comes (a new generation takes one read that returns nothing first). */
  async function nextBatch(followed: FileTailer): Promise<ReadBatch> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const batch = await followed.readBatch(buffer, MAX_LINE_BYTES * 4);
      if (batch) return batch;
    }
    throw new Error('no batch after 3 reads');
  }

  /** Lets a finished read clear its "reading" flag (set a few promise steps after its result). */
  async function settled(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  function texts(batch: ReadBatch): string[] {
    return batch.body.toString('utf8').split('\n').slice(0, -1);
  }

  // 20 lines of 24 bytes, acknowledged up to 480; then a copytruncate and 40 lines of 40 bytes, so
  // byte 479 of the new contents is a line end too, and the 16 bytes before 480 are 15 x and a '\n'
  // in both the old and the rewritten contents.
  it.each([
    { when: 'after a rewind (the hub connection lost: the file\'s first bytes are compared)', rewind: true },
    { when: 'without a rewind (only the bytes read again before the offset can tell)', rewind: false },
  ])('finds a truncation the file was rewritten past, with look-alike line ends at the old offset, $when', async ({ rewind }) => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    const first = await nextBatch(followed);
    expect(first.endOffset).toBe(480);
    followed.acknowledge(first.gen, first.endOffset);
    await truncate(file, 0);
    await appendFile(file, lines(20, 40, 31));

    if (rewind) followed.rewind();
    const batch = await nextBatch(followed);

    expect(batch.gen).not.toBe(first.gen);
    expect(batch.offset).toBe(0);
    expect(texts(batch)).toEqual(lines(20, 40, 31).split('\n').slice(0, -1));
  });

  it('cuts an over-long line that follows others in the smallest buffer, and reads on past it', async () => {
    // The bytes before the offset are read again with each read; the buffer must leave room for
    // them and still hold a whole maximal line, or the long line is never found too long.
    await writeFile(file, lines(0, 2, 10));
    const followed = await follow();
    expect(texts(await nextBatch(followed))).toHaveLength(2);
    await appendFile(file, `${'y'.repeat(MAX_LINE_BYTES * 2)}\nafter\n`);

    const batches: ReadBatch[] = [];
    for (let read = 0; read < 6 && !batches.some((b) => texts(b).includes('after')); read += 1) {
      const batch = await followed.readBatch(buffer, MAX_LINE_BYTES * 4);
      if (batch) batches.push(batch);
    }

    expect(batches.flatMap(texts)).toEqual(['y'.repeat(MAX_LINE_BYTES), 'after']);
    expect(batches[0]!.truncated).toEqual([0]);
  });

  it('after a rewind into contents rewritten shorter, sends them and then wants no read until the file changes', async () => {
    // Found by the pipeline model test: a copytruncate, then a hub restart. The tailer kept the size
    // from before the truncation (2,050), above anything a read could reach (600), so it wanted a read
    // forever and the sender read on without ever yielding to the event loop.
    await writeFile(file, lines(0, 25, 73));
    const followed = await follow();
    const first = await nextBatch(followed);
    followed.acknowledge(first.gen, first.endOffset);
    await truncate(file, 0);
    await appendFile(file, lines(25, 30, 11));

    followed.rewind();
    const batch = await nextBatch(followed);

    expect(batch.gen).not.toBe(first.gen);
    expect(texts(batch)).toEqual(lines(25, 30, 11).split('\n').slice(0, -1));
    expect(await followed.readBatch(buffer, MAX_LINE_BYTES * 4)).toBeUndefined();
    expect(followed.wantsRead()).toBe(false);
    await appendFile(file, lines(55, 1, 11));
    followed.requestLook();
    expect(texts(await nextBatch(followed))).toEqual([lines(55, 1, 11).slice(0, -1)]);
  });

  it('after a resume point in rewritten contents, starts over even though a fingerprint of an empty file matches anything', async () => {
    // A restarted agent: its state file fingerprinted the file while it was empty (kill -9 before the
    // next checkpoint); the hub holds the contents from before a copytruncate up to 660, now the
    // middle of a line. Widening the fingerprint at the head check would vouch for these bytes.
    await writeFile(file, lines(56, 14, 44) + lines(70, 30, 3));
    const followed = await follow(Buffer.alloc(0));
    const gen = followed.identity.gen;
    followed.resumeAt(660);

    const batch = await nextBatch(followed);

    expect(batch.gen).not.toBe(gen);
    expect(batch.offset).toBe(0);
    expect(texts(batch)).toEqual((lines(56, 14, 44) + lines(70, 30, 3)).split('\n').slice(0, -1));
  });

  it('after a rewind of an unchanged file, reads on from the acknowledged offset in the same generation', async () => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    const first = await nextBatch(followed);
    followed.acknowledge(first.gen, 240);
    await appendFile(file, lines(20, 5, 15));

    followed.rewind();
    const batch = await nextBatch(followed);

    expect(batch.gen).toBe(first.gen);
    expect(batch.offset).toBe(240);
    expect(texts(batch)).toEqual(lines(10, 15, 15).split('\n').slice(0, -1));
  });
  it('moves its acknowledged offset only forward, and only for its own generation', async () => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    const first = await nextBatch(followed);
    expect(followed.acknowledge('another-gen', 240)).toBe(false);
    expect(followed.checkpoint().offset).toBe(0);
    expect(followed.acknowledge(first.gen, 240)).toBe(true);
    expect(followed.acknowledge(first.gen, 240)).toBe(false);
    expect(followed.acknowledge(first.gen, 120)).toBe(false);
    expect(followed.checkpoint()).toMatchObject({ path: file, gen: first.gen, offset: 240 });
    expect(followed.ackedOffset).toBe(240);
  });

  it('takes a resume point only past what is acknowledged, and reads on from it', async () => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    expect(followed.resumeAt(0)).toBe(false);
    expect(followed.resumeAt(240)).toBe(true);
    expect(followed.resumeAt(240)).toBe(false);
    expect(followed.checkpoint().offset).toBe(240);
    const batch = await nextBatch(followed);
    expect(batch.offset).toBe(240);
    expect(texts(batch)).toEqual(lines(10, 10, 15).split('\n').slice(0, -1));
  });

  it('wants a read after a rewind even when everything was acknowledged', async () => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    const first = await nextBatch(followed);
    followed.acknowledge(first.gen, first.endOffset);
    expect(await followed.readBatch(buffer, MAX_LINE_BYTES * 4)).toBeUndefined();
    expect(followed.wantsRead()).toBe(false);
    followed.rewind();
    expect(followed.wantsRead()).toBe(true);
  });

  it('reads on at once after a read that filled the buffer', async () => {
    await writeFile(file, '');
    const followed = await follow();
    await appendFile(file, lines(0, Math.ceil((3 * buffer.length) / 100), 92));
    followed.requestLook();
    await nextBatch(followed);
    expect(followed.wantsRead()).toBe(true);
  });

  it('is ready to close only when read to the end, idle long enough, not reading and all acknowledged', async () => {
    await writeFile(file, lines(0, 20, 15));
    const followed = await follow();
    const idle = 1000;
    const first = await nextBatch(followed);
    await settled();
    expect(followed.wantsRead()).toBe(false);
    followed.lastGrowthAt = 5000;
    const idleSince = 5000 + idle;
    // Sent but not acknowledged.
    expect(followed.readyToClose(idle, idleSince)).toBe(false);
    followed.acknowledge(first.gen, first.endOffset);
    expect(followed.readyToClose(idle, idleSince - 1)).toBe(false);
    expect(followed.readyToClose(idle, idleSince)).toBe(true);
    followed.paths.add(file);
    expect(followed.readyToClose(idle, idleSince)).toBe(false);
    followed.paths.clear();
    followed.requestLook();
    expect(followed.readyToClose(idle, idleSince)).toBe(false);
    const reading = followed.readBatch(buffer, MAX_LINE_BYTES * 4);
    expect(followed.readyToClose(idle, idleSince)).toBe(false);
    expect(await reading).toBeUndefined();
    await settled();
    expect(followed.readyToClose(idle, idleSince)).toBe(true);
  });

  it('notices growth since the last read, once', async () => {
    await writeFile(file, lines(0, 2, 15));
    const followed = await follow();
    await nextBatch(followed);
    expect(await followed.grewSinceLastRead(5)).toBe(false);
    expect(followed.wantsRead()).toBe(false);
    await appendFile(file, lines(2, 1, 15));
    expect(await followed.grewSinceLastRead(12_345)).toBe(true);
    expect(followed.lastGrowthAt).toBe(12_345);
    expect(followed.wantsRead()).toBe(true);
    expect(texts(await nextBatch(followed))).toEqual([lines(2, 1, 15).slice(0, -1)]);
  });

  it('knows whether its file was deleted, and closes once', async () => {
    await writeFile(file, lines(0, 2, 15));
    const followed = await follow();
    expect(await followed.isDeleted()).toBe(false);
    await unlink(file);
    expect(await followed.isDeleted()).toBe(true);
    await followed.close();
    expect(followed.closed).toBe(true);
    expect(followed.wantsRead()).toBe(false);
    await expect(followed.close()).resolves.toBeUndefined();
  });

  describe('idleFor', () => {
    it('is idle only once read to its end, everything sent acknowledged, and quiet for long enough', async () => {
      await writeFile(file, 'one\ntwo\n');
      const followed = await follow();
      followed.paths.add(file);
      const opened = followed.lastGrowthAt;
      // A first look is pending: not idle, however long ago.
      expect(followed.idleFor(100, opened + 1_000)).toBe(false);
      const batch = await nextBatch(followed);
      expect(followed.wantsRead()).toBe(false);
      // Read to its end, but the lines are not acknowledged yet.
      expect(followed.idleFor(100, followed.lastGrowthAt + 1_000)).toBe(false);
      followed.acknowledge(batch.gen, batch.endOffset);
      expect(followed.idleFor(100, followed.lastGrowthAt + 99)).toBe(false);
      expect(followed.idleFor(100, followed.lastGrowthAt + 100)).toBe(true);
      // A look asked for (a change event): not idle until it is read.
      followed.requestLook();
      expect(followed.idleFor(100, followed.lastGrowthAt + 1_000)).toBe(false);
    });

    it('is idle with a partial last line held back, which is read again from the acknowledged offset', async () => {
      await writeFile(file, 'one\npart');
      const followed = await follow();
      followed.paths.add(file);
      const batch = await nextBatch(followed);
      followed.acknowledge(batch.gen, batch.endOffset);
      expect(followed.checkpoint().offset).toBe('one\n'.length);
      expect(followed.idleFor(100, followed.lastGrowthAt + 100)).toBe(true);
    });

    it('is never idle for a file followed under no name or under two', async () => {
      await writeFile(file, 'one\n');
      const followed = await follow();
      const batch = await nextBatch(followed);
      followed.acknowledge(batch.gen, batch.endOffset);
      expect(followed.idleFor(100, followed.lastGrowthAt + 100)).toBe(false);
      followed.paths.add(file);
      followed.paths.add(`${file}.other`);
      expect(followed.idleFor(100, followed.lastGrowthAt + 100)).toBe(false);
    });
  });
});
