import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { allowedHostProblem, HostCheck, type HostCheckConfig } from '../../../../server/access/host-check.js';

const LOOPBACK: HostCheckConfig = { host: '127.0.0.1', allowedHosts: [], trustedProxies: [], loopback: true };

function refused(config: HostCheckConfig, headers: IncomingHttpHeaders, remoteAddress = '127.0.0.1'): boolean {
  return new HostCheck(config).refusal({ headers, socket: { remoteAddress } }) !== undefined;
}

describe('HostCheck', () => {
  it.each<[string, string | undefined, boolean]>([
    ['127.0.0.1 with the port', '127.0.0.1:7070', false],
    ['localhost with the port', 'localhost:7070', false],
    ['localhost in capitals', 'LOCALHOST:7070', false],
    ['IPv6 loopback', '[::1]:7070', false],
    ['no port', 'localhost', false],
    ['no Host header (HTTP/1.0, not a browser)', undefined, false],
    ['a rebound public name', 'evil.example:7070', true],
    ['a subdomain of localhost', 'evil.localhost:7070', true],
    ['user info smuggled in', 'evil@127.0.0.1:7070', true],
    ['a path smuggled in', '127.0.0.1:7070/x', true],
    ['empty', '', true],
  ])('on loopback: %s', (_name, host, expected) => {
    expect(refused(LOOPBACK, host === undefined ? {} : { host })).toBe(expected);
  });

  it('answers to its own loopback address and to listed names, with or without a port', () => {
    const config = { ...LOOPBACK, host: '127.0.0.2', allowedHosts: ['dev.example.com', 'logs.example.com:8443'] };
    expect(refused(config, { host: '127.0.0.2:7070' })).toBe(false);
    expect(refused(config, { host: 'dev.example.com:1234' })).toBe(false);
    expect(refused(config, { host: 'logs.example.com:8443' })).toBe(false);
    expect(refused(config, { host: 'logs.example.com:7070' })).toBe(true);
    expect(refused(config, { host: 'logs.example.com' })).toBe(true);
  });

  it('accepts any name on a non-loopback address without allowedHosts, and says so', () => {
    const check = new HostCheck({ host: '0.0.0.0', allowedHosts: [], trustedProxies: [], loopback: false });
    expect(check.enforced).toBe(false);
    expect(check.refusal({ headers: { host: 'anything.example' }, socket: {} })).toBeUndefined();
  });

  it('on a non-loopback address with allowedHosts, refuses other names but not loopback ones', () => {
    const config = { host: '0.0.0.0', allowedHosts: ['logs.example.com'], trustedProxies: [], loopback: false };
    expect(refused(config, { host: 'logs.example.com' })).toBe(false);
    expect(refused(config, { host: '127.0.0.1:7070' })).toBe(false);
    expect(refused(config, { host: '0.0.0.0:7070' })).toBe(true);
    expect(refused(config, { host: 'evil.example' })).toBe(true);
  });

  it('checks X-Forwarded-Host instead of Host only from a trusted proxy', () => {
    const config = { host: '10.1.2.10', allowedHosts: ['logs.example.com'], trustedProxies: ['10.1.2.3'], loopback: false };
    const viaProxy = { host: 'supergrep_hub', 'x-forwarded-host': 'logs.example.com' };
    expect(refused(config, viaProxy, '10.1.2.3')).toBe(false);
    expect(refused(config, { ...viaProxy, 'x-forwarded-host': 'evil.example' }, '10.1.2.3')).toBe(true);
    expect(refused(config, viaProxy, '10.9.9.9')).toBe(true);
    expect(refused(config, { host: 'evil.example', 'x-forwarded-host': 'logs.example.com' }, '10.9.9.9')).toBe(true);
  });

  it('explains the refusal and names the option', () => {
    expect(new HostCheck(LOOPBACK).refusal({ headers: { host: 'evil.example:7070' }, socket: {} })).toMatch(/evil\.example:7070.*--allowed-host/);
  });
});

describe('allowedHostProblem', () => {
  it.each(['logs.example.com', 'logs.example.com:8443', '[fd00::1]', '[fd00::1]:7070', 'hub'])('accepts %s', (entry) => {
    expect(allowedHostProblem(entry)).toBeUndefined();
  });

  it.each(['https://logs.example.com', 'logs.example.com/', 'a b', ''])('refuses %j', (entry) => {
    expect(allowedHostProblem(entry)).toMatch(/not a host name/);
  });
});

describe('HostCheck, more names', () => {
  const PUBLIC: HostCheckConfig = { host: '0.0.0.0', allowedHosts: ['logs.example.com'], trustedProxies: ['10.0.0.1'], loopback: false };

  it.each<[string, HostCheckConfig, IncomingHttpHeaders, string, boolean]>([
    ['a Host with spaces around it', LOOPBACK, { host: '  localhost:7070 ' }, '127.0.0.1', false],
    ['a name with a trailing dot', LOOPBACK, { host: 'localhost.:7070' }, '127.0.0.1', false],
    ['a name with its dots moved', PUBLIC, { host: 'log.sexample.com' }, '127.0.0.1', true],
    ['the wildcard address it listens on', PUBLIC, { host: '0.0.0.0:7070' }, '127.0.0.1', true],
    ['the IPv6 wildcard address', { ...PUBLIC, host: '::' }, { host: '[::]:7070' }, '127.0.0.1', true],
    ['its own IPv6 address, bracketed', { ...PUBLIC, host: 'fd00::5' }, { host: '[fd00::5]:7070' }, '127.0.0.1', false],
    ['another name when its own address cannot be a host name', { ...PUBLIC, host: 'fe80::1%eth0' }, { host: 'evil.example' }, '127.0.0.1', true],
    ['an empty X-Forwarded-Host from a trusted proxy: the Host counts', PUBLIC, { host: 'logs.example.com', 'x-forwarded-host': '' }, '10.0.0.1', false],
    ['no X-Forwarded-Host from a trusted proxy: the Host counts', PUBLIC, { host: 'evil.example' }, '10.0.0.1', true],
  ])('%s', (_name, config, headers, remote, expected) => {
    expect(refused(config, headers, remote)).toBe(expected);
  });

  it('quotes at most 200 characters of the name it refuses', () => {
    const message = new HostCheck(LOOPBACK).refusal({ headers: { host: 'a'.repeat(500) }, socket: { remoteAddress: '127.0.0.1' } })!;
    expect(message).toContain('a'.repeat(200));
    expect(message).not.toContain('a'.repeat(201));
  });
});
