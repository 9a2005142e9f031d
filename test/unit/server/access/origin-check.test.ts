import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { originAllowed } from '../../../../server/access/origin-check.js';

describe('originAllowed', () => {
  it.each<[string, IncomingHttpHeaders, string[], boolean]>([
    ['no Origin: not a browser', { host: 'hub:7070' }, [], true],
    ['the hub’s own origin', { host: 'hub:7070', origin: 'http://hub:7070' }, [], true],
    ['the hub’s own origin over https (TLS proxy)', { host: 'logs.example.com', origin: 'https://logs.example.com' }, [], true],
    ['an explicit default port in Host', { host: 'logs.example.com:443', origin: 'https://logs.example.com' }, [], true],
    ['host names compare case-insensitively', { host: 'HUB:7070', origin: 'http://hub:7070' }, [], true],
    ['IPv6 loopback', { host: '[::1]:7070', origin: 'http://[::1]:7070' }, [], true],
    ['another site', { host: 'hub:7070', origin: 'http://evil.example' }, [], false],
    ['same host, other port', { host: 'hub:7070', origin: 'http://hub:8080' }, [], false],
    ['a listed origin', { host: 'hub:7070', origin: 'https://dash.example.com' }, ['https://dash.example.com'], true],
    ['a listed origin with a trailing slash', { host: 'hub:7070', origin: 'https://dash.example.com' }, ['https://dash.example.com/'], true],
    ['a listed origin with another scheme', { host: 'hub:7070', origin: 'http://dash.example.com' }, ['https://dash.example.com'], false],
    ['the opaque origin "null"', { host: 'hub:7070', origin: 'null' }, [], false],
    ['a non-http origin', { host: 'hub:7070', origin: 'file://hub:7070' }, [], false],
  ])('%s', (_name, headers, allowed, expected) => {
    expect(originAllowed(headers, allowed)).toBe(expected);
  });
});

describe('originAllowed, more cases', () => {
  it.each<[string, IncomingHttpHeaders, string[], boolean]>([
    ['https with the default port in Host', { host: 'hub.example:443', origin: 'https://hub.example' }, [], true],
    ['http with the default port in Host', { host: 'hub.example:80', origin: 'http://hub.example' }, [], true],
    ['a scheme that is neither http nor https', { host: 'hub.example:7070', origin: 'ftp://hub.example:7070' }, [], false],
    ['no Host, a listed origin', { origin: 'https://dash.example' }, ['https://dash.example'], true],
    ['no Host, another origin', { origin: 'https://evil.example' }, ['https://dash.example'], false],
  ])('%s', (_name, headers, allowed, expected) => {
    expect(originAllowed(headers, allowed)).toBe(expected);
  });
});
