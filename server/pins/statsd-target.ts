export interface StatsdTarget {
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

/**
 * Parses the `--statsd` value: "host:port", or "[v6 address]:port" since an IPv6 address holds
 * colons itself. Undefined when it is neither, or the port is out of range.
 */
export function parseStatsdTarget(text: string): StatsdTarget | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}
