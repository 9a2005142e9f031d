import { describe, expect, it } from 'vitest';
import { ConfigError, hubEnvOverrides, isLoopback, resolveHubConfig } from '../../../server/config.js';

describe('hub configuration', () => {
  it('applies defaults', () => {
    const config = resolveHubConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(7070);
    expect(config.agentTokens).toEqual([]);
  });

  it('refuses a non-loopback address without tokens and says why', () => {
    expect(() => resolveHubConfig({ host: '0.0.0.0' })).toThrow(/refusing to listen on 0\.0\.0\.0 without tokens/);
  });

  it('accepts a non-loopback address with agent and viewer tokens', () => {
    const config = resolveHubConfig({ host: '0.0.0.0', agentTokens: ['agents:a'], viewerTokens: ['ops:v'] });
    expect(config.agentTokens[0]).toEqual({ name: 'agents', secret: 'a' });
  });

  it('reports every bad key at once, including unknown ones', () => {
    let message = '';
    try {
      resolveHubConfig({ port: 'x', prot: 1, maxLineBytes: -1 });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/port/);
    expect(message).toMatch(/prot/);
    expect(message).toMatch(/maxLineBytes/);
  });

  it('reads comma-separated tokens from the environment', () => {
    expect(hubEnvOverrides({ SUPERGREP_AGENT_TOKEN: 'a:1, b:2', SUPERGREP_VIEWER_TOKEN: '' })).toEqual({ agentTokens: ['a:1', 'b:2'] });
  });

  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['10.0.0.1', false],
  ])('isLoopback(%s) is %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});
