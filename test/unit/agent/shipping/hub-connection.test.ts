import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubConnection } from '../../../../agent/shipping/hub-connection.js';
import { captureLogger } from '../../../helpers/agent-harness.js';

/** A loopback port nothing listens on: every connection attempt is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Lets real I/O run (setImmediate is not faked) until `condition` holds, a bounded number of turns. */
async function untilTrue(what: string, condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200_000; turn += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never saw ${what}`);
}

describe('HubConnection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a hub that is down after the backoff it is given, never waiting longer than the cap', async () => {
    const port = await closedPort();
    // The clock is the test's: each retry's delay is measured by the fake clock, not the machine's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { logger, records } = captureLogger();
    const connection = new HubConnection(
      { hubs: [`ws://127.0.0.1:${port}`], name: 'test-host', agentVersion: 'test', heartbeatIntervalMs: 2_000, reconnectBaseMs: 50, reconnectCapMs: 800, random: () => 0.999_999 },
      logger,
      { onWelcome: () => {}, onAck: () => {}, onDisconnect: () => {} },
    );
    const failures = () => records.filter((record) => record.msg === 'could not connect to hub; will retry').length;
    connection.start();
    const delays: number[] = [];
    for (let failure = 1; failure <= 10; failure += 1) {
      await untilTrue(`failure ${failure}`, () => failures() === failure);
      // The retry is the one timer pending; running it starts the next attempt.
      expect(vi.getTimerCount()).toBe(1);
      const before = Date.now();
      vi.advanceTimersToNextTimer();
      delays.push(Date.now() - before);
    }
    await connection.stop();
    // Jitter at the top of its range: doubling from the base, then held just under the cap.
    expect(delays).toEqual([49, 99, 199, 399, 799, 799, 799, 799, 799, 799]);
    expect(connection.reconnects).toBe(10);
  });
});
