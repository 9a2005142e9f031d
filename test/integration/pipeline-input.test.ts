import { appendFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, Collector, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Awkward bytes in log files: line endings split across reads, invalid UTF-8, huge lines, binary. */
describe('pipeline with awkward input', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  let log: string;
  let viewer: Collector;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    hub = await startHub({ dataDir: join(dir, 'hub') });
    log = join(dir, 'app.log');
    await writeFile(log, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    await waitForFollowing(agent, log);
    viewer = await new Collector(hub.url, { query: '' }).ready();
  });

  afterEach(async () => {
    viewer.close();
    await agent.stop();
    await hub.process.stop();
    await cleanup();
  });

  it('strips CRLF, even when the \\r and \\n arrive in separate writes', async () => {
    await appendFile(log, 'windows line one\r\nwindows line two\r');
    // Line one arrived: the agent has read that write, the lone \r with it.
    await viewer.waitForCount(1);
    await appendFile(log, '\nlast\r\n');
    await viewer.waitForCount(3);
    expect(viewer.texts()).toEqual(['windows line one', 'windows line two', 'last']);
  });

  it('replaces invalid UTF-8 with U+FFFD and keeps valid multi-byte text', async () => {
    await appendFile(log, Buffer.concat([Buffer.from('bad \xff\xfe bytes: '), Buffer.from([0xc3, 0x28]), Buffer.from(' | ok: héllo ✓ 🚀\n', 'utf8')]));
    await viewer.waitForCount(1);
    expect(viewer.texts()[0]).toBe('bad \u00ff\u00fe bytes: \ufffd( | ok: héllo ✓ 🚀');
  });

  it('cuts a line of several MiB at the maximum length and keeps the next line intact', async () => {
    const huge = 'x'.repeat(6 * 1024 * 1024);
    await appendFile(log, `${huge}\nnext line intact\n`);
    await viewer.waitForCount(2);
    const [cut, next] = viewer.lines;
    expect(cut!.line).toBe('x'.repeat(64 * 1024));
    expect(cut!.truncated).toBe(true);
    expect(next!.line).toBe('next line intact');
    expect(next!.truncated).toBeUndefined();
  });

  it('cuts an over-long line after others with batches no larger than the line limit, and reads on', async () => {
    // The read buffer is sized from the larger of the two limits; it once had no room left for the
    // bytes each read takes again before its offset, and the file stalled on the long line.
    const small = join(dir, 'small-batches.log');
    await writeFile(small, '');
    const config = join(dir, 'small-batches.json');
    await writeFile(config, JSON.stringify({ batchMaxBytes: 64 * 1024, maxLineBytes: 64 * 1024 }));
    const second = startAgent({ hubs: [hub.wsUrl], paths: [small], stateFile: join(dir, 'small.json'), name: 'small-batches', args: ['--config', config] });
    try {
      await waitForFollowing(second, small);
      await appendLines(small, ['before the long line']);
      await viewer.waitForCount(1);
      await appendFile(small, `${'y'.repeat(200 * 1024)}\nafter the long line\n`);
      await viewer.waitForCount(3);
      expect(viewer.texts()).toEqual(['before the long line', 'y'.repeat(64 * 1024), 'after the long line']);
      expect(viewer.lines[1]!.truncated).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('passes binary garbage through as text without stalling later lines', async () => {
    const garbage = Buffer.alloc(64 * 1024);
    for (let i = 0; i < garbage.length; i += 1) garbage[i] = (i * 7919) % 256;
    await appendFile(log, Buffer.concat([garbage, Buffer.from('\n')]));
    await appendLines(log, ['after the garbage']);
    await viewer.waitForCount(1);
    const { waitFor } = await import('../helpers/wait.js');
    await waitFor('the line after the garbage', () => viewer.texts().includes('after the garbage'));
    expect(viewer.texts().at(-1)).toBe('after the garbage');
    expect(agent.running && hub.process.running).toBe(true);
  });
});
