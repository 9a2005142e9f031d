import { writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type HubToClient } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

/** A viewer that stops reading must cost the others nothing and learn how much it lost. */
describe('pipeline fan-out to a slow viewer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    // A small per-viewer queue so the paused viewer overflows quickly.
    const config = join(dir, 'hub.json');
    await writeFile(config, JSON.stringify({ clientQueueBytes: 256 * 1024, clientSocketHighWaterBytes: 64 * 1024 }));
    hub = await startHub({ dataDir: join(dir, 'hub'), args: ['--config', config] });
  });

  afterEach(async () => {
    await agent?.stop();
    await hub.process.stop();
    await cleanup();
  });

  it('keeps delivering to a fast viewer while a paused one overflows, then tells the paused one its count', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    await waitForFollowing(agent, log);

    const fast = await new Collector(hub.url, { query: 'line' }).ready();
    const slow = await openRawViewer(hub.wsUrl);
    slow.pause();

    const total = 60_000;
    const lines = numbered(`line ${'p'.repeat(100)}`, total);
    for (let i = 0; i < total; i += 2000) await appendLines(log, lines.slice(i, i + 2000));
    await fast.waitForCount(total, 60_000);
    expect(fast.texts()).toEqual(lines);
    expect(fast.dropped).toEqual([]);

    slow.resume();
    await waitFor('the paused viewer to drain', () => slow.received + slow.droppedTotal >= total, 30_000);
    expect(slow.droppedTotal).toBeGreaterThan(0);
    expect(slow.received + slow.droppedTotal).toBe(total);
    // What it did receive is in order: the drops are whole gaps, never a reordering.
    expect(slow.texts).toEqual([...slow.texts].sort());
    slow.close();
    fast.close();
  });
});

/** A viewer on a raw socket whose reading can be paused at the TCP level. */
async function openRawViewer(wsUrl: string) {
  const socket = new WebSocket(`${wsUrl}/ws/client`);
  const state = { received: 0, droppedTotal: 0, texts: [] as string[] };
  let subscribed = false;
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as HubToClient;
    if (message.type === 'welcome') socket.send(JSON.stringify({ type: 'subscribe', sub: 'slow', filter: { query: 'line' } }));
    if (message.type === 'subscribed') subscribed = true;
    if (message.type === 'matches') {
      state.received += message.lines.length;
      for (const line of message.lines) state.texts.push(line.line);
    }
    if (message.type === 'dropped') state.droppedTotal += message.count;
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION }));
  await waitFor('the raw viewer to subscribe', () => subscribed);
  const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
  return {
    get received() {
      return state.received;
    },
    get droppedTotal() {
      return state.droppedTotal;
    },
    get texts() {
      return state.texts;
    },
    pause: () => raw.pause(),
    resume: () => raw.resume(),
    close: () => socket.terminate(),
  };
}
