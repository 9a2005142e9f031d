import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsdSink } from '../../../../server/pins/statsd-sink.js';
import { waitFor } from '../../../helpers/wait.js';

function capturingLogger(): { logger: pino.Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      records.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), records };
}

describe('StatsdSink', () => {
  let listener: Socket;
  let port: number;
  const datagrams: string[] = [];
  const sinks: StatsdSink[] = [];

  beforeEach(async () => {
    datagrams.length = 0;
    listener = createSocket('udp4');
    listener.on('message', (message) => datagrams.push(String(message)));
    listener.bind(0, '127.0.0.1');
    await once(listener, 'listening');
    port = (listener.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
    listener.close();
  });

  function sink(logger = capturingLogger().logger, onError?: (err: Error) => void): StatsdSink {
    // A long interval: these tests flush by hand.
    const created = new StatsdSink({ target: { host: '127.0.0.1', port }, prefix: 'supergrep.', flushIntervalMs: 60_000, logger, ...(onError ? { onError } : {}) });
    sinks.push(created);
    return created;
  }

  it('sums the counts of an interval into one increment per stat', async () => {
    const s = sink();
    s.add('pin.checkout_errors.matches', 3);
    s.add('pin.checkout_errors.matches', 4);
    s.add('pin.slow.matches', 1);
    s.add('pin.none.matches', 0);
    s.flush();
    await waitFor('two datagrams', () => datagrams.length >= 2, 5_000);
    expect(datagrams.sort()).toEqual(['supergrep.pin.checkout_errors.matches:7|c', 'supergrep.pin.slow.matches:1|c']);

    s.flush(); // nothing pending: nothing sent
    s.add('pin.slow.matches', 2);
    s.forget('pin.slow.matches');
    s.add('pin.checkout_errors.matches', 1);
    await s.close(); // sends what is pending
    await waitFor('the last datagram', () => datagrams.length >= 3, 5_000);
    expect(datagrams[2]).toBe('supergrep.pin.checkout_errors.matches:1|c');
    expect(datagrams).toHaveLength(3);
  });

  it('reports send errors to its callback and logs them at most once a minute, never throwing', async () => {
    const { logger, records } = capturingLogger();
    const errors: Error[] = [];
    const s = sink(logger, (err) => errors.push(err));
    // A datagram over 64 KiB cannot be sent: the kernel refuses it with EMSGSIZE.
    const huge = `pin.${'x'.repeat(70_000)}.matches`;
    for (let i = 0; i < 3; i += 1) {
      s.add(huge, 1);
      expect(() => s.flush()).not.toThrow();
    }
    await waitFor('three send errors', () => errors.length >= 3, 5_000);
    expect(errors[0]?.message).toMatch(/EMSGSIZE/);
    const warnings = records.filter((record) => record.msg === 'StatsD send failed; pin counts not delivered');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ statsd: `127.0.0.1:${port}`, suppressedSinceLast: 0 });

    // The socket still works afterwards.
    s.add('pin.after.matches', 5);
    s.flush();
    await waitFor('a datagram after the errors', () => datagrams.includes('supergrep.pin.after.matches:5|c'), 5_000);
  });
});
