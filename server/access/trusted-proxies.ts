import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

interface ParsedEntry {
  address: string;
  family: Family;
  prefix: number;
}

function parseEntry(entry: string): ParsedEntry | string {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return `"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`;
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  const bits = version === 4 ? 32 : 128;
  if (slash < 0) return { address, family, prefix: bits };
  const text = entry.slice(slash + 1);
  const prefix = Number(text);
  if (!/^\d{1,3}$/.test(text) || prefix > bits) return `"${entry}": the prefix length must be 0 to ${bits}`;
  return { address, family, prefix };
}

/** Why `entry` is not an address or CIDR block, for config validation; undefined when it is one. */
export function addressEntryProblem(entry: string): string | undefined {
  const parsed = parseEntry(entry);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** `::ffff:10.0.0.5`, as a dual-stack socket reports an IPv4 peer, is 10.0.0.5. */
function unmapped(address: string): { address: string; family: Family } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const version = isIP(address);
  if (version === 0) return undefined;
  return { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * The reverse proxies whose identity headers the hub believes: IP addresses and CIDR blocks, IPv4
 * or IPv6. Nothing is trusted by default, loopback included: a proxy on the same machine must be
 * listed (127.0.0.1) like any other.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws on an entry that is not an address or block (the config validates them first). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if (typeof parsed === 'string') throw new Error(parsed);
      this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.size = entries.length;
  }

  /** True when a connection from `address` (a socket's remoteAddress) comes from a trusted proxy. */
  has(address: string | undefined): boolean {
    if (address === undefined || this.size === 0) return false;
    const peer = unmapped(address);
    return peer !== undefined && this.list.check(peer.address, peer.family);
  }
}
