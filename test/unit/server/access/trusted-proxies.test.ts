import { describe, expect, it } from 'vitest';
import { lazy } from '../../../helpers/lazy.js';
import { addressEntryProblem, TrustedProxies } from '../../../../server/access/trusted-proxies.js';

describe('TrustedProxies', () => {
  const proxies = lazy(() => new TrustedProxies(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']));

  it.each<[string | undefined, boolean]>([
    ['10.1.2.3', true],
    ['10.255.255.255', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['::ffff:10.9.8.7', true], // an IPv4 peer on a dual-stack socket
    ['::ffff:127.0.0.1', false],
    ['fd12:3456::1', true],
    ['fe80::1', false],
    ['::1', true],
    ['127.0.0.1', false], // loopback is trusted only when listed
    [undefined, false],
    ['not-an-ip', false],
  ])('%s is trusted: %s', (address, expected) => {
    expect(proxies().has(address)).toBe(expected);
  });

  it('trusts nothing when empty', () => {
    expect(new TrustedProxies([]).has('127.0.0.1')).toBe(false);
  });

  it('trusts everything in 0.0.0.0/0 only when asked to', () => {
    expect(new TrustedProxies(['0.0.0.0/0']).has('203.0.113.9')).toBe(true);
  });

  it.each<[string, RegExp | undefined]>([
    ['10.0.0.0/8', undefined],
    ['127.0.0.1', undefined],
    ['2001:db8::/32', undefined],
    ['10.0.0.0/33', /prefix length must be 0 to 32/],
    ['2001:db8::/129', /0 to 128/],
    ['10.0.0.0/x', /prefix length/],
    ['proxy.internal', /not an IP address or CIDR block/],
    ['', /not an IP address/],
  ])('validates %j', (entry, problem) => {
    const found = addressEntryProblem(entry);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('TrustedProxies, entries', () => {
  it.each<[string, RegExp | undefined]>([
    ['10.0.0.0/32', undefined],
    ['2001:db8::/128', undefined],
    ['10.0.0.0/0', undefined],
    ['10.0.0.0/8x', /prefix length/],
    ['10.0.0.0/x8', /prefix length/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/0008', /prefix length/],
  ])('validates %j', (entry, problem) => {
    const found = addressEntryProblem(entry);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('refuses to be built from an entry that is no address', () => {
    expect(() => new TrustedProxies(['10.0.0.1', 'proxy.internal'])).toThrow(/"proxy.internal" is not an IP address/);
  });

  it('trusts exactly the block of a prefix, IPv4 and IPv6', () => {
    const proxies = new TrustedProxies(['10.1.2.0/24', '2001:db8:1::/48', '192.0.2.9/32']);
    expect(proxies.has('10.1.2.200')).toBe(true);
    expect(proxies.has('10.1.3.1')).toBe(false);
    expect(proxies.has('2001:db8:1:ffff::1')).toBe(true);
    expect(proxies.has('2001:db8:2::1')).toBe(false);
    expect(proxies.has('192.0.2.9')).toBe(true);
    expect(proxies.has('192.0.2.10')).toBe(false);
    expect(proxies.size).toBe(3);
  });
});
