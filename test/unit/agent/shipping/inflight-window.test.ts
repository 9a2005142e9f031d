import { describe, expect, it } from 'vitest';
import { InflightWindow, MAX_INFLIGHT_BATCHES } from '../../../../agent/shipping/inflight-window.js';

describe('InflightWindow', () => {
  it('numbers batches from 1 and settles them cumulatively', () => {
    const window = new InflightWindow<string>(1_000);
    for (const item of ['a', 'b', 'c']) window.add(window.nextBatchNumber(), 100, item);
    expect(window.inflightBytes).toBe(300);
    const { settled, beyondSent } = window.ack(2);
    expect(settled.map((sent) => sent.item)).toEqual(['a', 'b']);
    expect(beyondSent).toBe(false);
    expect(window.inflightBytes).toBe(100);
    expect(window.ack(2).settled).toEqual([]);
  });

  it('has room until the byte bound is reached', () => {
    const window = new InflightWindow<null>(250);
    window.add(1, 200, null);
    expect(window.hasRoom()).toBe(true);
    expect(window.roomBytes).toBe(50);
    window.add(2, 60, null);
    expect(window.hasRoom()).toBe(false);
    window.ack(1);
    expect(window.hasRoom()).toBe(true);
  });

  it('also bounds the number of batches, however small', () => {
    const window = new InflightWindow<null>(Number.MAX_SAFE_INTEGER);
    for (let batch = 1; batch <= MAX_INFLIGHT_BATCHES; batch += 1) window.add(batch, 1, null);
    expect(window.hasRoom()).toBe(false);
    window.ack(MAX_INFLIGHT_BATCHES);
    expect(window.inflightBatches).toBe(0);
    expect(window.hasRoom()).toBe(true);
  });

  it('flags an ack for a batch never sent', () => {
    const window = new InflightWindow<null>(100);
    window.add(1, 10, null);
    expect(window.ack(5)).toMatchObject({ beyondSent: true, settled: [{ batch: 1 }] });
  });

  it('refuses batch numbers out of order and restarts numbering on reset', () => {
    const window = new InflightWindow<null>(100);
    window.add(1, 10, null);
    expect(() => window.add(3, 10, null)).toThrow(/out of order/);
    window.reset();
    expect(window.nextBatchNumber()).toBe(1);
    expect(window.inflightBytes).toBe(0);
  });
});
