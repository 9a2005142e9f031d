import { appendFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Agent } from '../../agent/agent.js';
import { agentConfigSchema, type AgentConfig, type AgentConfigInput } from '../../agent/agent-config.js';
import type { Logger } from '../../lib/logger.js';

export type LogRecord = Record<string, unknown> & { msg?: string; level?: number };

/** A pino logger that keeps its records in memory, so tests can look at what the agent said. */
export function captureLogger(level = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  return { logger: pino({ level }, sink), records };
}

/** Agent options tuned for tests: short intervals so rotation, polls and retries happen in milliseconds. */
function testAgentConfig(input: Pick<AgentConfigInput, 'hubs' | 'paths' | 'stateFile'> & Partial<AgentConfigInput>): AgentConfig {
  return agentConfigSchema.parse({
    name: 'test-host',
    pollIntervalMs: 50,
    rescanIntervalMs: 300,
    checkpointIntervalMs: 100,
    rotatedIdleCloseMs: 300,
    reconnectBaseMs: 20,
    reconnectCapMs: 200,
    heartbeatIntervalMs: 2_000,
    ...input,
  });
}

export interface RunningAgent {
  agent: Agent;
  config: AgentConfig;
  records: LogRecord[];
}

/** Starts an in-process agent; `stopAll` in afterEach stops whatever a test left running. */
export async function startTestAgent(
  input: Pick<AgentConfigInput, 'hubs' | 'paths' | 'stateFile'> & Partial<AgentConfigInput>,
  running: Set<Agent>,
): Promise<RunningAgent> {
  const config = testAgentConfig(input);
  const { logger, records } = captureLogger();
  const agent = new Agent(config, logger);
  running.add(agent);
  await agent.start();
  return { agent, config, records };
}

export async function stopAll(running: Set<Agent>): Promise<void> {
  await Promise.all([...running].map((agent) => agent.stop()));
  running.clear();
}

/** Appends `lines` to `file`, each followed by '\n', in one write. */
export async function appendLines(file: string, lines: string[]): Promise<void> {
  await appendFile(file, lines.map((line) => `${line}\n`).join(''));
}

/** `count` numbered lines, "<prefix>-000001 ..." padded so they are easy to tell apart and to sort. */
export function numberedLines(prefix: string, from: number, count: number, pad = ''): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${String(from + index).padStart(6, '0')}${pad}`);
}
