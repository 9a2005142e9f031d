/**
 * Many agents in one process, for the fan-out benchmark: each is a plain WebSocket to the hub's
 * /ws/agent that says hello and then sends a lines frame (encodeLinesFrame) every `intervalMs`,
 * staggered, with at most `maxUnacked` batches unacknowledged (a batch that would exceed it is
 * skipped and counted, as a real agent would pause reading). Prints one JSON line when done.
 *
 *   node dist/bench/workers/simulated-agents.js '{"hub":"ws://127.0.0.1:1234","first":0,"count":250,...}'
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, encodeLinesFrame } from '../../protocol/node.js';
import { generateLines, joinLines } from '../lib/dataset.js';

interface SimConfig {
  hub: string;
  first: number;
  count: number;
  linesPerBatch: number;
  intervalMs: number;
  durationMs: number;
  maxUnacked: number;
  seed: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as SimConfig;
const pool = generateLines(50_000, config.seed);
/** Pre-encoded batch bodies, so that the load generator spends its time sending. */
const bodies: Array<{ body: Buffer; lines: number }> = [];
for (let at = 0; at + config.linesPerBatch <= pool.length && bodies.length < 2_000; at += config.linesPerBatch) {
  bodies.push({ body: joinLines(pool.slice(at, at + config.linesPerBatch)), lines: config.linesPerBatch });
}

interface SimAgent {
  socket: WebSocket;
  ready: boolean;
  batch: number;
  acked: number;
  offset: number;
  next: number;
}

let sentLines = 0;
let sentBatches = 0;
let skippedBatches = 0;
let ackedBatches = 0;
let errors = 0;

function connect(index: number): SimAgent {
  const socket = new WebSocket(`${config.hub}/ws/agent`);
  const agent: SimAgent = { socket, ready: false, batch: 0, acked: 0, offset: 0, next: index % bodies.length };
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, host: `sim-${index}`, agentVersion: 'bench' }));
  });
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = JSON.parse(data.toString()) as { type: string; batch?: number };
    if (message.type === 'welcome') agent.ready = true;
    else if (message.type === 'ack') {
      ackedBatches += message.batch! - agent.acked;
      agent.acked = message.batch!;
    } else if (message.type === 'error') errors += 1;
  });
  socket.on('error', () => {
    errors += 1;
  });
  return agent;
}

function send(agent: SimAgent, index: number): void {
  if (!agent.ready) return;
  if (agent.batch - agent.acked >= config.maxUnacked) {
    skippedBatches += 1;
    return;
  }
  const { body, lines } = bodies[agent.next]!;
  agent.next = (agent.next + 1) % bodies.length;
  agent.batch += 1;
  const header = {
    batch: agent.batch,
    file: '/var/log/app.log',
    fileId: `sim-${index}.1`,
    offset: agent.offset,
    endOffset: agent.offset + body.length,
    lineCount: lines,
    ts: Date.now(),
  };
  agent.offset += body.length;
  agent.socket.send(encodeLinesFrame(header, body));
  sentLines += lines;
  sentBatches += 1;
}

const agents = Array.from({ length: config.count }, (_, i) => connect(config.first + i));
const started = performance.now();
// Each agent sends every intervalMs, the agents' turns spread evenly over the interval. One timer
// walks the schedule; an agent whose turn has passed sends at once, so a late timer does not
// lower the rate.
const due = agents.map((_, i) => started + (i * config.intervalMs) / agents.length);
const scheduler = setInterval(() => {
  const now = performance.now();
  agents.forEach((agent, i) => {
    while (due[i]! <= now) {
      send(agent, config.first + i);
      due[i]! += config.intervalMs;
    }
  });
}, 5);

// Report every second, so the parent can read rates over its own measuring window.
const report = setInterval(() => {
  process.stdout.write(`${JSON.stringify({ t: performance.now() - started, sentLines, sentBatches, skippedBatches, ackedBatches, errors, ready: agents.filter((a) => a.ready).length })}\n`);
}, 1_000);

setTimeout(() => {
  clearInterval(scheduler);
  clearInterval(report);
  process.stdout.write(`${JSON.stringify({ done: true, t: performance.now() - started, sentLines, sentBatches, skippedBatches, ackedBatches, errors })}\n`);
  for (const agent of agents) agent.socket.terminate();
  process.exit(0);
}, config.durationMs);
