import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decoderFor, formatOfLine } from '../../../../agent/formats/format-detect.js';
import type { LineFormat } from '../../../../agent/formats/line-decoder.js';

const FIXTURES = new URL('../../../fixtures/container/', import.meta.url);

/** The fixtures' long line, split by the runtime into 16 KiB parts. */
const LONG_LINE = `{"level":"info","msg":"catalog snapshot","items":"${Array.from({ length: 4000 }, (_, i) => `item-${String(i).padStart(5, '0')};`).join('')}"}`;

interface Event {
  stream: string;
  text: string;
}

/**
 * Decodes a fixture and joins partial lines per stream as the event joiner does (the head's prefix,
 * then the messages of the parts): the events in the order they complete.
 */
function decodeFixture(name: string, format: LineFormat): { events: Event[]; lines: string[]; undecodable: number } {
  const lines = readFileSync(new URL(name, FIXTURES), 'utf8').split('\n').slice(0, -1);
  const decoder = decoderFor(format);
  const pending = new Map<string, string>();
  const events: Event[] = [];
  for (const line of lines) {
    const out = decoder.decode(Buffer.from(line));
    const text = (pending.get(out.stream) ?? out.prefix.toString()) + out.message.toString();
    if (out.partial) pending.set(out.stream, text);
    else {
      pending.delete(out.stream);
      events.push({ stream: out.stream, text });
    }
  }
  expect(pending.size).toBe(0);
  return { events, lines, undecodable: decoder.undecodable };
}

describe('container log fixtures', () => {
  it('decodes the kubelet CRI file: times verbatim, streams kept, 16 KiB parts joined, interleaved streams apart', () => {
    const { events, lines, undecodable } = decodeFixture('kubelet-cri.txt', 'cri');
    expect(undecodable).toBe(0);
    expect(lines.every((line) => formatOfLine(Buffer.from(line)) === 'cri')).toBe(true);
    expect(events.map((event) => event.stream)).toEqual(['stdout', 'stderr', 'stdout', 'stderr', 'stdout', 'stdout', 'stdout', 'stderr', 'stdout', 'stdout', 'stdout', 'stderr']);
    expect(events.map((event) => event.text)).toEqual([
      '2026-12-07T22:50:27.118640447Z stdout 2026/12/07 22:50:27 [notice] 1#1: using the "epoll" event method',
      '2026-12-07T22:50:27.118745215Z stderr /docker-entrypoint.sh: Configuration complete; ready for start up',
      '2026-12-07T22:50:27.3Z stdout 10.244.0.1 - - [07/Dec/2026:22:50:27 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.31"',
      '2026-12-07T22:50:28.000000000+00:00 stderr I1207 22:50:28.000000       1 main.go:42] CRI-O writes every digit and an offset',
      '2026-12-07T23:50:28.5+01:00 stdout containerd on a node in local time',
      '2026-12-07T22:50:29Z stdout unicode: héllo wörld ✓ 日本語 🚀',
      `2026-12-07T22:50:30.000000001Z stdout ${LONG_LINE}`,
      '2026-12-07T22:50:31.000000002Z stderr E1207 22:50:31.000002 1 probe.go:88] readiness probe failed',
      '2026-12-07T22:50:31.000000001Z stdout progress: 10%..50%..100% done',
      '2026-12-07T22:50:32.1Z stdout ',
      '2026-12-07T22:50:32.2Z stdout ',
      '2026-12-07T22:50:32.3Z stderr \tat com.example.cart.Cart.checkout(Cart.java:41)',
    ]);
  });

  it('decodes the Docker json-file: escapes, CRLF, attrs, 16 KiB parts joined, interleaved streams apart, newlines inside kept', () => {
    const { events, lines, undecodable } = decodeFixture('docker-json-file.jsonl', 'docker');
    expect(undecodable).toBe(0);
    expect(lines.every((line) => formatOfLine(Buffer.from(line)) === 'docker')).toBe(true);
    expect(events.map((event) => event.stream)).toEqual(['stdout', 'stderr', 'stdout', 'stderr', 'stdout', 'stdout', 'stdout', 'stdout', 'stderr', 'stdout', 'stderr']);
    expect(events.map((event) => event.text)).toEqual([
      '2026-12-07T22:50:27.118640447Z stdout Starting checkout service v2.14.1 on :8080',
      '2026-12-07T22:50:27.118745215Z stderr warning: <deprecated> flag --legacy & friends',
      '2026-12-07T22:50:27.2Z stdout config: {"path": "C:\\\\srv\\\\app", "tab":"\there"}',
      '2026-12-07T22:50:27.300001Z stderr \u001b[31mERROR\u001b[0m payment declined for order 8812',
      '2026-12-07T22:50:28.000000001Z stdout unicode: héllo wörld ✓ 日本語 🚀 and a line separator \u2028 here',
      '2026-12-07T22:50:28.1Z stdout crlf from a windows tool',
      '2026-12-07T22:50:28.2Z stdout with labels from --log-opt labels',
      `2026-12-07T22:50:29.000000001Z stdout ${LONG_LINE}`,
      '2026-12-07T22:50:30.000000002Z stderr E1207 22:50:30.000002 1 probe.go:88] readiness probe failed',
      '2026-12-07T22:50:30.000000001Z stdout progress: 10%..50%..100% done',
      '2026-12-07T22:50:31.5Z stderr Exception in thread "main" java.lang.IllegalStateException: cart is empty\n\tat com.example.cart.Cart.checkout(Cart.java:41)\n\tat com.example.Main.main(Main.java:12)',
    ]);
  });

  it('reads each fixture as plain text when forced to plain, and counts every line undecodable when forced to the other format', () => {
    const cri = decodeFixture('kubelet-cri.txt', 'plain');
    expect(cri.events.map((event) => event.text)).toEqual(cri.lines);
    expect(decodeFixture('kubelet-cri.txt', 'docker').undecodable).toBe(cri.lines.length);
    const docker = decodeFixture('docker-json-file.jsonl', 'cri');
    expect(docker.undecodable).toBe(docker.lines.length);
    expect(docker.events.map((event) => event.text)).toEqual(docker.lines);
  });
});
