/**
 * A minimal agent for the live-latency benchmark's "hub path alone" figure: it follows one file
 * with fs.watch (inotify), reads what was appended as soon as it is told, and sends it to the hub
 * as lines frames (encodeLinesFrame). No checkpoints, rotation or reconnects: it shows what the hub
 * and the viewer add to the latency when the agent reacts at once.
 *
 *   node dist/bench/workers/direct-forwarder.js '{"hub":"ws://127.0.0.1:1234","file":"/tmp/x.log"}'
 */
import { openSync, readSync, watch } from 'node:fs';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, encodeLinesFrame } from '../../protocol/node.js';
import { monotonicMicros, stampOf } from '../lib/monotonic.js';

interface ForwarderConfig {
  hub: string;
  file: string;
}

const MAX_BATCH_BYTES = 512 * 1024;
const config = JSON.parse(process.argv[2] ?? '{}') as ForwarderConfig;
const fd = openSync(config.file, 'r');
const buffer = Buffer.allocUnsafe(MAX_BATCH_BYTES);
let offset = 0;
let batch = 0;
let ready = false;
const lags: number[] = [];

// On SIGTERM, report the read lags (ms) as one JSON line before leaving.
process.once('SIGTERM', () => {
  lags.sort((a, b) => a - b);
  const at = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? Number.NaN;
  process.stdout.write(`${JSON.stringify({ batches: lags.length, readLagP50Ms: at(50), readLagP99Ms: at(99), readLagMaxMs: at(100) })}\n`);
  process.exit(0);
});

// Masking frames costs the sender a pass over every byte; a zero mask lets ws skip it (RFC 6455
// wants a random mask only to protect proxies from browser-crafted frames).
const socket = new WebSocket(`${config.hub}/ws/agent`, { perMessageDeflate: false, generateMask: () => undefined });
socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host: 'forwarder', agentVersion: 'bench' })));
socket.on('message', (data, isBinary) => {
  if (isBinary) return;
  const message = JSON.parse(data.toString()) as { type: string };
  if (message.type === 'welcome') {
    ready = true;
    process.stdout.write('ready\n');
    drain();
  }
});

function drain(): void {
  if (!ready) return;
  for (;;) {
    const bytesRead = readSync(fd, buffer, 0, buffer.length, offset);
    if (bytesRead === 0) return;
    const end = buffer.lastIndexOf(0x0a, bytesRead - 1) + 1;
    if (end === 0) return;
    const body = Buffer.from(buffer.subarray(0, end));
    let lineCount = 0;
    for (let at = body.indexOf(0x0a); at >= 0; at = body.indexOf(0x0a, at + 1)) lineCount += 1;
    batch += 1;
    socket.send(encodeLinesFrame({ batch, file: config.file, fileId: 'forwarder.1', offset, endOffset: offset + end, lineCount, ts: Date.now() }, body));
    offset += end;
    // How long the oldest line of the batch waited to be read and sent: the writer-to-agent part.
    const lagMs = (monotonicMicros() - stampOf(body.toString('latin1', 0, Math.min(body.length, 40)))) / 1000;
    if (Number.isFinite(lagMs)) lags.push(lagMs);
    if (bytesRead < buffer.length) return;
  }
}

watch(config.file, () => drain());
