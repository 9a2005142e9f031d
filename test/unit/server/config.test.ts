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

  it('takes agentHosts for named agent tokens only, and defaults to none', () => {
    expect(resolveHubConfig({ agentTokens: ['web:s1'] }).agentHosts).toEqual({});
    expect(resolveHubConfig({ agentTokens: ['web:s1'], agentHosts: { web: ['web-*'] } }).agentHosts).toEqual({ web: ['web-*'] });
    expect(() => resolveHubConfig({ agentTokens: ['web:s1'], agentHosts: { wbe: ['web-*'] } })).toThrow(/agentHosts names "wbe", which no agent token has/);
    expect(() => resolveHubConfig({ agentTokens: ['web:s1'], agentHosts: { web: [] } })).toThrow(/agentHosts/);
    expect(() => resolveHubConfig({ agentTokens: ['web:s1'], agentHosts: { web: ['web-[12'] } })).toThrow(/agentHosts: invalid glob "web-\[12"/);
  });

  it('takes webhooks (Slack format by default), default alert rules and a public URL', () => {
    const defaults = resolveHubConfig({});
    expect(defaults.webhooks).toEqual([]);
    expect(defaults.defaultAlerts).toEqual([{ kind: 'verdict-worse' }]);
    expect(defaults.publicUrl).toBeUndefined();
    const config = resolveHubConfig({
      webhooks: [{ url: 'https://hooks.slack.com/services/T0/B0/secret' }, { url: 'http://alerts.internal:9000/in', format: 'json', name: 'pager' }],
      defaultAlerts: [{ kind: 'rate-above', perMinute: 100, forMinutes: 5 }],
      publicUrl: 'https://logs.example.com',
    });
    expect(config.webhooks).toEqual([
      { url: 'https://hooks.slack.com/services/T0/B0/secret', format: 'slack' },
      { url: 'http://alerts.internal:9000/in', format: 'json', name: 'pager' },
    ]);
    expect(config.defaultAlerts).toEqual([{ kind: 'rate-above', perMinute: 100, forMinutes: 5 }]);
    expect(config.publicUrl).toBe('https://logs.example.com');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a webhook that is not http(s)', { webhooks: [{ url: 'ftp://x/y' }] }, /webhooks/],
    ['an unknown webhook format', { webhooks: [{ url: 'https://x/y', format: 'teams' }] }, /webhooks/],
    ['an unknown alert rule', { defaultAlerts: [{ kind: 'rate-below' }] }, /defaultAlerts/],
    ['a public URL without a scheme', { publicUrl: 'logs.example.com' }, /publicUrl/],
  ])('refuses %s', (_what, input, message) => {
    expect(() => resolveHubConfig(input)).toThrow(message);
  });

  it('never repeats a webhook URL (its path is a secret) in a configuration error', () => {
    expect(() => resolveHubConfig({ webhooks: [{ url: 'https://hooks.example.com/s3cr3t', format: 'teams' }] })).toThrow(/^(?![\s\S]*s3cr3t)/);
  });

  it('reads comma-separated tokens from the environment', () => {
    expect(hubEnvOverrides({ SUPERGREP_AGENT_TOKEN: 'a:1, b:2', SUPERGREP_VIEWER_TOKEN: '' })).toEqual({ agentTokens: ['a:1', 'b:2'] });
  });

  it('reads editor tokens from SUPERGREP_EDITOR_TOKEN', () => {
    expect(hubEnvOverrides({ SUPERGREP_EDITOR_TOKEN: 'ci:e1' })).toEqual({ editorTokens: ['ci:e1'] });
    expect(resolveHubConfig(hubEnvOverrides({ SUPERGREP_EDITOR_TOKEN: 'ci:e1' })).editorTokens).toEqual([{ name: 'ci', secret: 'e1' }]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['agent and editor tokens', { agentTokens: ['a:1'], editorTokens: ['e:2'] }],
    ['agent tokens and proxy identities', { agentTokens: ['a:1'], proxyAuth: {}, trustedProxies: ['10.0.0.0/8'] }],
  ])('accepts a non-loopback address with %s', (_name, options) => {
    expect(resolveHubConfig({ host: '0.0.0.0', ...options }).host).toBe('0.0.0.0');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['readers but no agent tokens', { viewerTokens: ['v:1'] }, /refusing to listen on 0\.0\.0\.0 without tokens: anyone who can reach it could send it lines/],
    ['agent tokens but no reader credentials', { agentTokens: ['a:1'] }, /could read every log line/],
  ])('refuses a non-loopback address with %s', (_name, options, message) => {
    expect(() => resolveHubConfig({ host: '0.0.0.0', ...options })).toThrow(message);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a certificate without a key', { tlsCertFile: 'cert.pem' }, /tlsCertFile and tlsKeyFile go together/],
    ['proxyAuth without trusted proxies', { proxyAuth: {} }, /proxyAuth needs trustedProxies/],
    ['one token for agents and viewers', { agentTokens: ['a:same'], viewerTokens: ['v:same'] }, /both an agent token and a viewer or editor token/],
    ['a trusted proxy that is not an address', { trustedProxies: ['proxy.internal'] }, /not an IP address or CIDR block.*trustedProxies/s],
    ['a proxyAuth typo', { proxyAuth: { defaultRol: 'editor' }, trustedProxies: ['10.0.0.1'] }, /defaultRol/],
    ['an unknown redaction rule to disable', { redaction: { disable: ['cards'] } }, /no built-in rule is named "cards"/],
    ['a trusted agent that is no agent token', { agentTokens: ['web-1:s3cret'], redaction: { trustedAgents: ['web-2'] } }, /redaction.trustedAgents names "web-2", which is no agent token's name/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => resolveHubConfig(options)).toThrow(message);
  });

  it('lists every rule between options that is broken, at once', () => {
    expect(() => resolveHubConfig({ host: '0.0.0.0', tlsKeyFile: 'k.pem', proxyAuth: {} })).toThrow(
      /invalid hub configuration:\n- tlsCertFile and tlsKeyFile go together.*\n- proxyAuth needs trustedProxies.*\n- refusing to listen/s,
    );
  });

  it('has defaults for the new limits', () => {
    const config = resolveHubConfig({});
    expect(config.maxViewers).toBe(1000);
    expect(config.maxAgentLinesPerSec).toBeUndefined();
    expect(config.redaction).toEqual({ disable: [], rules: [], atAgents: true, trustedAgents: [] });
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
