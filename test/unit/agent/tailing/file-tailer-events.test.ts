import { appendFile, open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRules, multilineConfigSchema } from '../../../../agent/events/event-rules.js';
import { fingerprintOf, newGeneration } from '../../../../agent/tailing/file-identity.js';
import { FileTailer, minReadBufferBytes, type ReadBatch } from '../../../../agent/tailing/file-tailer.js';
import { silentLogger } from '../../../../lib/logger.js';
import { eventText } from '../../../../protocol/index.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { waitFor } from '../../../helpers/wait.js';

const MAX_LINE_BYTES = 4096;
const TRACE = 'ERROR saving order\njava.lang.IllegalStateException: closed\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n';

describe('FileTailer with multi-line events', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let handle: FileHandle | undefined;
  let tailer: FileTailer | undefined;
  let looksDue = 0;
  const buffer = Buffer.alloc(minReadBufferBytes(MAX_LINE_BYTES));

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-tailer-events-'));
    file = join(dir, 'app.log');
    looksDue = 0;
  });
  afterEach(async () => {
    await tailer?.close();
    tailer = undefined;
    handle = undefined;
    await cleanup();
  });

  async function follow(flushMs: number, multiline: Record<string, unknown> = {}): Promise<FileTailer> {
    handle = await open(file, 'r');
    const stats = await stat(file, { bigint: true });
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, 256, 0);
    const rules = new EventRules(multilineConfigSchema.parse({ flushMs, ...multiline }), MAX_LINE_BYTES);
    tailer = new FileTailer({
      handle,
      reportPath: file,
      identity: { dev: String(stats.dev), ino: String(stats.ino), ...fingerprintOf(head.subarray(0, bytesRead)), gen: newGeneration() },
      offset: 0,
      size: Number(stats.size),
      limits: { maxLineBytes: MAX_LINE_BYTES },
      logger: silentLogger(),
      onIdentityChange: () => {},
      events: { rule: rules.forPath(file), flushMs },
      onLookDue: () => {
        looksDue += 1;
      },
    });
    return tailer;
  }

  function events(batch: ReadBatch | undefined): string[] {
    return batch ? batch.body.toString('utf8').split('\n').slice(0, -1).map(eventText) : [];
  }

  it('holds a trace back at the end of the file, reads it again whole, and sends it once the file stopped growing', async () => {
    await writeFile(file, `first\n${TRACE.slice(0, TRACE.indexOf('\tat a.B.d'))}`);
    const followed = await follow(100);
    const before = await followed.readBatch(buffer, 1 << 20);
    expect(events(before)).toEqual(['first']);
    expect(before?.endOffset).toBe('first\n'.length);
    // Nothing is sent until the flush, and only the tailer's own timer asks for the look.
    expect(await followed.readBatch(buffer, 1 << 20)).toBeUndefined();
    await appendFile(file, TRACE.slice(TRACE.indexOf('\tat a.B.d')));
    followed.requestLook();
    expect(await followed.readBatch(buffer, 1 << 20)).toBeUndefined();
    await waitFor('the flush look', () => looksDue > 0 && followed.wantsRead());
    const flushed = await followed.readBatch(buffer, 1 << 20);
    expect(events(flushed)).toEqual([TRACE.slice(0, -1)]);
    expect(flushed).toMatchObject({ offset: 'first\n'.length, endOffset: Buffer.byteLength(`first\n${TRACE}`), lineCount: 1 });
    expect(flushed?.body.includes(0)).toBe(true);
  });

  it('sends the trace with the lines after it as soon as a line that cannot continue it arrives', async () => {
    await writeFile(file, TRACE);
    const followed = await follow(60_000);
    expect(await followed.readBatch(buffer, 1 << 20)).toBeUndefined();
    await appendFile(file, 'next line\n');
    followed.requestLook();
    const batch = await followed.readBatch(buffer, 1 << 20);
    expect(events(batch)).toEqual([TRACE.slice(0, -1), 'next line']);
    expect(batch).toMatchObject({ offset: 0, lineCount: 2 });
    // The bytes the tail guard read again were the file's own: no copytruncate was suspected.
    await appendFile(file, 'after\n');
    followed.requestLook();
    const after = await followed.readBatch(buffer, 1 << 20);
    expect(after).toMatchObject({ gen: batch?.gen, offset: batch?.endOffset });
    expect(events(after)).toEqual(['after']);
  });

  it('leaves paced looks to the registry while an event is held back', async () => {
    await writeFile(file, TRACE);
    const followed = await follow(60_000);
    expect(await followed.readBatch(buffer, 1 << 20)).toBeUndefined();
    // Not idle (and so not closed) with an event held back.
    followed.paths.add(file);
    await new Promise((resolve) => setImmediate(resolve));
    expect(followed.idleFor(0)).toBe(false);
    // The flush waits on a timer of its own: a paced look asked for now still comes in time.
    expect(followed.lookScheduled).toBe(false);
    let paced = false;
    followed.lookLater(1, () => {
      paced = true;
    });
    await waitFor('the paced look', () => paced);
    expect(followed.wantsRead()).toBe(true);
  });

  it('cuts an event too big for one read where the read ends, and reads on', async () => {
    const frames = Array.from({ length: 400 }, (_, index) => `\tat a.B.m${String(index).padStart(4, '0')}(B.java:${index})`);
    await writeFile(file, `java.lang.OutOfMemoryError: heap\n${frames.join('\n')}\nnext\n`);
    const followed = await follow(60_000, { maxLines: 100_000, maxBytes: MAX_LINE_BYTES });
    const sent: string[] = [];
    for (let read = 0; read < 20 && !sent.includes('next'); read += 1) sent.push(...events(await followed.readBatch(buffer, 1 << 20)));
    expect(sent.at(-1)).toBe('next');
    expect(sent.slice(0, -1).join('\n')).toBe(`java.lang.OutOfMemoryError: heap\n${frames.join('\n')}`);
    for (const event of sent) expect(Buffer.byteLength(event)).toBeLessThanOrEqual(MAX_LINE_BYTES);
  });

  it('sends a held-back event on the final read of a file renamed away', async () => {
    await writeFile(file, TRACE);
    const followed = await follow(60_000);
    expect(await followed.readBatch(buffer, 1 << 20)).toBeUndefined();
    followed.paths.clear();
    // Lets the read clear its "reading" flag (a few promise steps after its result).
    await new Promise((resolve) => setImmediate(resolve));
    expect(followed.readyToClose(0)).toBe(false);
    expect(events(await followed.readBatch(buffer, 1 << 20))).toEqual([TRACE.slice(0, -1)]);
  });

  it('joins nothing with multi-line off, and lets each line go out at once', async () => {
    await writeFile(file, TRACE);
    const followed = await follow(60_000, { enabled: false });
    expect(events(await followed.readBatch(buffer, 1 << 20))).toEqual(TRACE.split('\n').slice(0, -1));
  });
});
