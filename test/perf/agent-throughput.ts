/**
 * Quick measurements of the agent alone against the fake hub (not a test: no timed assertions).
 * The agent runs in its own process so its CPU time and memory can be read from /proc.
 *
 *   npx tsc test/perf/agent-throughput.ts --outDir dist/perf --rootDir . --module nodenext \
 *     --moduleResolution nodenext --target es2023 --skipLibCheck --esModuleInterop --types node
 *   node dist/perf/test/perf/agent-throughput.js read [lines]    # --from-start read of a big file
 *   node dist/perf/test/perf/agent-throughput.js idle [seconds]  # 20 files, 10,000 lines/s in total
 *   node dist/perf/test/perf/agent-throughput.js quiet [seconds] # the same 20 files, nothing written
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../agent/agent.js';
import { agentConfigSchema } from '../../agent/agent-config.js';
import { silentLogger } from '../../lib/logger.js';
import { FakeHub } from '../helpers/fake-hub.js';

const LINE_BYTES = 120;

function line(index: number): string {
  const head = `2025-01-01T00:00:00.000Z INFO request ${index} method=GET path=/api/items status=200 duration_ms=`;
  return `${head}${'7'.repeat(Math.max(1, LINE_BYTES - 1 - head.length))}\n`;
}

async function writeLines(file: string, count: number): Promise<number> {
  let bytes = 0;
  for (let start = 0; start < count; start += 50_000) {
    const chunk = Array.from({ length: Math.min(50_000, count - start) }, (_, offset) => line(start + offset)).join('');
    bytes += Buffer.byteLength(chunk);
    await appendFile(file, chunk);
  }
  return bytes;
}

/** CPU seconds (user + system) and resident memory of another process, from /proc. */
async function processUsage(pid: number): Promise<{ cpuSeconds: number; systemSeconds: number; rssMb: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const userTicks = Number(stat[11]);
  const systemTicks = Number(stat[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuSeconds: (userTicks + systemTicks) / 100, systemSeconds: systemTicks / 100, rssMb: rssKb / 1024 };
}

async function startAgentProcess(config: object): Promise<ChildProcess> {
  const nodeArgs = process.env.AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), 'agent', JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (text) => text === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`agent process exited with ${code}`)));
  });
  return child;
}

async function stopAgentProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function measureRead(dir: string, count: number): Promise<void> {
  const file = join(dir, 'big.log');
  const bytes = await writeLines(file, count);
  // Flush the file to disk first, so background writeback does not compete with the measurement.
  const handle = await open(file, 'r+');
  await handle.sync();
  await handle.close();
  const hub = await FakeHub.start({ recordLines: false });
  const config = { hubs: [hub.url], paths: [file], stateFile: join(dir, 'state.json'), fromStart: true };
  const child = await startAgentProcess(config);
  const startedAt = performance.now();
  const before = await processUsage(child.pid as number);
  await until(() => hub.lineCount >= count, 300_000);
  const seconds = (performance.now() - startedAt) / 1000;
  const after = await processUsage(child.pid as number);
  await stopAgentProcess(child);
  await hub.close();
  console.log(
    JSON.stringify({
      mode: 'read',
      lines: count,
      megabytes: +(bytes / 1e6).toFixed(1),
      seconds: +seconds.toFixed(3),
      linesPerSecond: Math.round(count / seconds),
      megabytesPerSecond: +(bytes / 1e6 / seconds).toFixed(1),
      agentCpuSeconds: +(after.cpuSeconds - before.cpuSeconds).toFixed(2),
      agentSystemSeconds: +(after.systemSeconds - before.systemSeconds).toFixed(2),
      agentRssMb: +after.rssMb.toFixed(1),
      problems: hub.problems.length,
    }),
  );
}

async function measureIdle(dir: string, seconds: number, linesPerTick = 5): Promise<void> {
  const files = Array.from({ length: 20 }, (_, index) => join(dir, `app-${index}.log`));
  await Promise.all(files.map((file) => writeFile(file, '')));
  const hub = await FakeHub.start({ recordLines: false });
  const child = await startAgentProcess({ hubs: [hub.url], paths: [join(dir, '*.log')], stateFile: join(dir, 'state.json') });
  // 5 lines to each of 20 files every 10 ms: 10,000 lines/s in total.
  let written = 0;
  const writer = setInterval(() => {
    if (linesPerTick === 0) return;
    for (const file of files) void appendFile(file, Array.from({ length: linesPerTick }, (_, index) => line(written + index)).join(''));
    written += files.length * linesPerTick;
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const before = await processUsage(child.pid as number);
  const linesBefore = hub.lineCount;
  const batchesBefore = hub.batches.length;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await processUsage(child.pid as number);
  const linesPerSecond = (hub.lineCount - linesBefore) / seconds;
  const batchesPerSecond = (hub.batches.length - batchesBefore) / seconds;
  clearInterval(writer);
  await stopAgentProcess(child);
  await hub.close();
  console.log(
    JSON.stringify({
      mode: 'idle',
      files: files.length,
      linesPerSecond: Math.round(linesPerSecond),
      batchesPerSecond: Math.round(batchesPerSecond),
      agentCpuPercent: +((100 * (after.cpuSeconds - before.cpuSeconds)) / seconds).toFixed(2),
      agentSystemPercent: +((100 * (after.systemSeconds - before.systemSeconds)) / seconds).toFixed(2),
      agentRssMb: +after.rssMb.toFixed(1),
      problems: hub.problems.length,
    }),
  );
}

async function runAgent(configText: string): Promise<void> {
  // AGENT_CONFIG (JSON) overrides options, to compare settings such as batchMaxBytes.
  const overrides = JSON.parse(process.env.AGENT_CONFIG ?? '{}') as object;
  const agent = new Agent(agentConfigSchema.parse({ ...(JSON.parse(configText) as object), ...overrides }), silentLogger());
  await agent.start();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const [mode = 'read', argument] = process.argv.slice(2);
  if (mode === 'agent') return runAgent(argument as string);
  const dir = await mkdtemp(join(tmpdir(), 'sg-perf-'));
  try {
    if (mode === 'idle') await measureIdle(dir, Number(argument ?? 10));
    else if (mode === 'quiet') await measureIdle(dir, Number(argument ?? 10), 0);
    else await measureRead(dir, Number(argument ?? 1_000_000));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
