import { describe, expect, it } from 'vitest';
import { agentSocketUrl, displayUrl } from '../../../../agent/shipping/hub-url.js';

describe('hub URLs', () => {
  it.each([
    { hub: 'ws://127.0.0.1:7070', socket: 'ws://127.0.0.1:7070/ws/agent' },
    { hub: 'ws://127.0.0.1:7070/', socket: 'ws://127.0.0.1:7070/ws/agent' },
    { hub: 'wss://logs.example.com', socket: 'wss://logs.example.com/ws/agent' },
    { hub: 'wss://proxy.example.com/supergrep/ws/agent', socket: 'wss://proxy.example.com/supergrep/ws/agent' },
    { hub: 'ws://hub:7070/custom', socket: 'ws://hub:7070/custom' },
  ])('connects to $hub at $socket', ({ hub, socket }) => {
    expect(agentSocketUrl(hub)).toBe(socket);
  });

  it('leaves credentials in a URL out of logs', () => {
    expect(displayUrl('wss://user:secret@hub.example.com/ws/agent')).toBe('wss://hub.example.com/ws/agent');
  });
});
