/**
 * One agent on a plain WebSocket to the hub's /ws/agent, sending a fixed number of realistic log
 * lines at a steady rate: a lines frame every `batchMs`, each line starting with the time it was
 * due on the monotonic clock (`wt=<µs> `), as if an application had written it then. Like a real
 * agent it keeps at most `maxInflightBytes` of batch bodies unacknowledged; a batch that does not
 * fit waits (its lines keep their due time). It times every batch from due to acknowledged.
 *
 * Prints `ready` once welcomed (it starts sending then), `{"event":"sent",...}` after its last
 * batch, and one JSON report when every batch is acknowledged or `drainMs` after the last one.
 *
 *   node dist/bench/workers/paced-agent.js '{"hub":"ws://127.0.0.1:1234","linesPerSec":2000,...}'
 */
import RE2 from 're2';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, encodeLinesFrame } from '../../protocol/node.js';
import { generateLines } from '../lib/dataset.js';
import { monotonicMicros, STAMP_PREFIX } from '../lib/monotonic.js';
import { percentiles } from '../lib/stats.js';

interface PacedConfig {
  hub: string;
  linesPerSec: number;
  batchMs: number;
  /** Lines are due over this long. */
  durationMs: number;
  /** After the last batch is sent, acknowledgements get this long to arrive. */
  drainMs: number;
  maxInflightBytes: number;
  /** The pattern the benchmark's ordinary viewer subscribes with: the report counts its matches. */
  probe: string;
  seed: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as PacedConfig;
const pool = generateLines(50_000, config.seed);
const probe = new RE2(config.probe);
const poolMatches = pool.map((line) => probe.test(line));
const linesPerBatch = Math.round((config.linesPerSec * config.batchMs) / 1000);
const totalBatches = Math.ceil(config.durationMs / config.batchMs);

interface Pending {
  batch: number;
  dueMicros: number;
  bytes: number;
}

const socket = new WebSocket(`${config.hub}/ws/agent`);
const inflight: Pending[] = [];
/** Due to acknowledged, in ms, one per acknowledged batch. */
const ackLagMs: number[] = [];
let inflightBytes = 0;
let offset = 0;
let next = 0;
let sentBatches = 0;
let sentLines = 0;
let ackedLines = 0;
let matching = 0;
let errors = 0;
let startedMicros = 0;
let lastSentAt = 0;
let finished = false;

function buildBody(dueMicros: number): Buffer {
  const stamp = `${STAMP_PREFIX}${dueMicros} `;
  const parts: string[] = [];
  for (let i = 0; i < linesPerBatch; i += 1) {
    if (poolMatches[next]) matching += 1;
    parts.push(stamp, pool[next]!, '\n');
    next = (next + 1) % pool.length;
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** Sends every batch that is due and fits the window. */
function pump(): void {
  const now = monotonicMicros();
  while (sentBatches < totalBatches && inflightBytes < config.maxInflightBytes) {
    const dueMicros = startedMicros + sentBatches * config.batchMs * 1000;
    if (dueMicros > now) break;
    const body = buildBody(dueMicros);
    const batch = sentBatches + 1;
    const header = { batch, file: '/var/log/app.log', fileId: 'paced.1', offset, endOffset: offset + body.length, lineCount: linesPerBatch, ts: Date.now() };
    offset += body.length;
    socket.send(encodeLinesFrame(header, body));
    inflight.push({ batch, dueMicros, bytes: body.length });
    inflightBytes += body.length;
    sentBatches = batch;
    sentLines += linesPerBatch;
  }
  if (sentBatches === totalBatches && lastSentAt === 0) {
    lastSentAt = performance.now();
    process.stdout.write(`${JSON.stringify({ event: 'sent', sentBatches, sentLines, matching })}\n`);
    setTimeout(finish, config.drainMs);
  }
}

function onAck(batch: number): void {
  const now = monotonicMicros();
  // Acknowledgements are cumulative: one settles every batch up to it.
  while (inflight.length > 0 && inflight[0]!.batch <= batch) {
    const settled = inflight.shift()!;
    inflightBytes -= settled.bytes;
    ackedLines += linesPerBatch;
    ackLagMs.push((now - settled.dueMicros) / 1000);
  }
  if (lastSentAt !== 0 && inflight.length === 0) finish();
  else pump();
}

function finish(): void {
  if (finished) return;
  finished = true;
  const [p50, p99, max] = percentiles(Float64Array.from(ackLagMs), [50, 99, 100]);
  process.stdout.write(
    `${JSON.stringify({ done: true, sentBatches, sentLines, ackedBatches: ackLagMs.length, ackedLines, matching, errors, ackLagP50Ms: p50, ackLagP99Ms: p99, ackLagMaxMs: max })}\n`,
  );
  socket.terminate();
  process.exit(0);
}

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host: 'paced-agent', agentVersion: 'bench' }));
});
socket.on('message', (data, isBinary) => {
  if (isBinary) return;
  const message = JSON.parse(data.toString()) as { type: string; batch?: number };
  if (message.type === 'welcome' && startedMicros === 0) {
    startedMicros = monotonicMicros();
    process.stdout.write('ready\n');
    setInterval(pump, Math.max(1, Math.floor(config.batchMs / 5)));
    pump();
  } else if (message.type === 'ack') onAck(message.batch!);
  else if (message.type === 'error') errors += 1;
});
socket.on('error', () => {
  errors += 1;
});
socket.on('close', () => finish());
