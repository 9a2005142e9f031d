import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/agent.js';
import { appendLines, numberedLines, startTestAgent, stopAll } from '../helpers/agent-harness.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/**
 * An agent behind on a file (a burst, a restart, the hub back after an outage) reads it buffer after
 * buffer, as fast as the hub acknowledges, not one buffer per poll interval: at 50,000 lines/s a
 * 512 KiB read every 250 ms would be a ceiling of about 14,000 lines/s, and the lag would only grow.
 */
describe('agent catching up on a file', () => {
  const agents = new Set<Agent>();
  let hub: FakeHub;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-catch-up-'));
    hub = await FakeHub.start({ recordLines: false });
  });

  afterEach(async () => {
    await stopAll(agents);
    await hub.close();
    await cleanup();
  });

  it('reads many buffers of backlog without waiting for the poll between them', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, '');
    // A poll a minute apart: were each of the 32 reads below to wait for it, they would take half an
    // hour, far past the wait's bound; reading on at once is the only way the lines all get there.
    await startTestAgent({ hubs: [hub.url], paths: [file], stateFile: join(dir, 'state.json'), pollIntervalMs: 60_000, rescanIntervalMs: 60_000 }, agents);
    await waitFor('the connection', () => hub.connectionCount === 1);
    // 16 MiB at once: 32 reads of 512 KiB.
    const lines = numberedLines('burst', 0, 200_000, ` ${'x'.repeat(70)}`);
    await appendLines(file, lines);
    await waitFor('every line', () => hub.lineCount >= lines.length, 30_000);
    expect(hub.problems).toEqual([]);
  });
});
