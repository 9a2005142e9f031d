import { describe, expect, it } from 'vitest';
import { COALESCE_MAX_FRAME_BYTES, TurnWriteCoalescer } from '../../../../agent/shipping/turn-write-coalescer.js';

function fakeSocket(): { calls: string[]; cork(): void; uncork(): void } {
  const calls: string[] = [];
  return { calls, cork: () => calls.push('cork'), uncork: () => calls.push('uncork') };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnWriteCoalescer', () => {
  it('corks the socket once for all the small frames of a turn and uncorks it at its end', async () => {
    const socket = fakeSocket();
    const coalescer = new TurnWriteCoalescer(socket);
    coalescer.beforeSend(100);
    coalescer.beforeSend(200);
    coalescer.beforeSend(300);
    expect(socket.calls).toEqual(['cork']);
    await nextTurn();
    expect(socket.calls).toEqual(['cork', 'uncork']);
    coalescer.beforeSend(100);
    await nextTurn();
    expect(socket.calls).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('leaves big frames to go out at once', async () => {
    const socket = fakeSocket();
    new TurnWriteCoalescer(socket).beforeSend(COALESCE_MAX_FRAME_BYTES);
    await nextTurn();
    expect(socket.calls).toEqual([]);
  });
});
