import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { metricValue } from '../helpers/http-api.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

interface Interval {
  time: string;
  written: number;
  received: number;
  lost: number;
  late: number;
  duplicates: number;
  reordered: number;
  unexpected: number;
  pending: number;
  latencyMs: { p50: number; p99: number; max: number } | null;
  connected: boolean;
}

/** `supergrep canary` against a real hub and agent: what it reports when all is well and when lines go missing. */
describe('supergrep canary', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let file: string;
  let agentConfig: string;
  const processes: CliProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-canary-'));
    hub = await startHub({ dataDir: join(dir, 'hub') });
    processes.push(hub.process);
    file = join(dir, 'canary.log');
    agentConfig = await writeJson(join(dir, 'agent.json'), FAST_AGENT);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await cleanup();
  });

  function agent(): CliProcess {
    // A glob, so the agent follows the file from its first line once the canary creates it.
    const process = startAgent({ hubs: [hub.wsUrl], paths: [join(dir, '*.log')], stateFile: join(dir, 'state.json'), args: ['--config', agentConfig] });
    processes.push(process);
    return process;
  }

  function canary(args: string[]): CliProcess {
    const process = new CliProcess(['canary', '--hub', hub.url, '--file', file, '--json', ...args]);
    processes.push(process);
    return process;
  }

  const intervals = (process: CliProcess): Interval[] => process.stdoutLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Interval);

  it('reports every line back with its latency, on stdout and as Prometheus metrics', async () => {
    await agent().waitForLog('the agent to start', (r) => r.msg === 'agent started');
    const runStartedAt = Date.now();
    const run = canary(['--rate', '200', '--interval-ms', '500', '--metrics-port', '0', '--rotate-bytes', '20000']);
    const listening = await run.waitForLog('the metrics port', (r) => r.msg === 'canary metrics listening');
    await waitFor('three intervals with lines back', () => intervals(run).filter((i) => i.received > 0).length >= 3, 20_000);
    const [first] = intervals(run).filter((i) => i.received > 0);
    expect(first).toMatchObject({ lost: 0, duplicates: 0, reordered: 0, unexpected: 0, connected: true, latencyMs: { p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) } });
    expect(first!.latencyMs!.p50).toBeGreaterThanOrEqual(0);
    expect(first!.latencyMs!.p50).toBeLessThanOrEqual(first!.latencyMs!.p99);
    expect(first!.latencyMs!.p99).toBeLessThanOrEqual(first!.latencyMs!.max);
    // Milliseconds of this run, not a speed target: no line can have taken longer than the run so far.
    expect(first!.latencyMs!.max).toBeLessThanOrEqual(Date.now() - runStartedAt);

    const metrics = await (await fetch(String(listening.url))).text();
    expect(metricValue(metrics, 'supergrep_canary_lines_written_total')).toBeGreaterThan(100);
    expect(metricValue(metrics, 'supergrep_canary_lines_received_total')).toBeGreaterThan(100);
    expect(metricValue(metrics, 'supergrep_canary_lines_lost_total')).toBe(0);
    expect(metricValue(metrics, 'supergrep_canary_connected')).toBe(1);
    // The histogram counts each line as it arrives, the counters move once per interval.
    expect(metricValue(metrics, 'supergrep_canary_latency_seconds_count')).toBeGreaterThanOrEqual(metricValue(metrics, 'supergrep_canary_lines_received_total')!);
    expect(metricValue(metrics, 'supergrep_canary_interval_latency_seconds{quantile="0.99"}')).toBeGreaterThan(0);
    // It rotated its own file (rename+create) past 20 KB, and the agent followed.
    await run.waitForLog('a rotation', (r) => r.msg === 'canary rotated its file');
    expect(await readdir(dir)).toContain('canary.log.1');
    await run.stop();
    const totals = intervals(run).reduce((sum, interval) => ({ written: sum.written + interval.written, received: sum.received + interval.received, lost: sum.lost + interval.lost }), { written: 0, received: 0, lost: 0 });
    expect(totals.lost).toBe(0);
    expect(totals.received).toBe(totals.written);
  });

  it('counts lines as lost while the agent is down and as late when they come back', async () => {
    const first = agent();
    await first.waitForLog('the agent to start', (r) => r.msg === 'agent started');
    const run = canary(['--rate', '100', '--interval-ms', '300', '--loss-after-ms', '800']);
    await waitForFollowing(first, file);
    await waitFor('lines back', () => intervals(run).some((i) => i.received > 0), 20_000);
    first.kill('SIGKILL');
    await first.exited;
    await waitFor('lost lines reported', () => intervals(run).some((i) => i.lost > 0), 10_000);
    await waitForFollowing(agent(), file);
    // The restarted agent resumes from its checkpoint: the missing lines arrive, late.
    await waitFor('late lines reported', () => intervals(run).some((i) => i.late > 0), 15_000);
    await waitFor('an interval with nothing missing', () => intervals(run).slice(-1)[0]?.pending === 0 && intervals(run).slice(-1)[0]!.lost === 0, 15_000);
    const sum = (key: 'lost' | 'late' | 'duplicates') => intervals(run).reduce((total, interval) => total + interval[key], 0);
    expect(sum('late')).toBe(sum('lost'));
    expect(sum('duplicates')).toBe(0);
  });

  it('with --duration-ms prints a summary and exits 1 when lines never came back, 0 when they all did', async () => {
    const alone = canary(['--rate', '50', '--interval-ms', '200', '--loss-after-ms', '300', '--duration-ms', '800']);
    const { code } = await alone.exited;
    expect(code).toBe(1);
    expect(alone.stderrLines.join('\n')).toMatch(/canary lines never came back/);
    expect(alone.stdoutLines.find((line) => line.startsWith('summary '))).toMatch(/"received":0/);

    await agent().waitForLog('the agent to start', (r) => r.msg === 'agent started');
    const watched = new CliProcess(['canary', '--hub', hub.url, '--file', join(dir, 'second.log'), '--rate', '50', '--interval-ms', '200', '--duration-ms', '1500']);
    processes.push(watched);
    const result = await watched.exited;
    expect(result.code, watched.output()).toBe(0);
    expect(watched.stdoutLines.at(-1)).toMatch(/^summary \S+ written=\d+ received=\d+ lost=0 late=0 duplicates=0 reordered=0 unexpected=0 pending=0 latency_ms p50=[\d.]+ p99=[\d.]+ max=[\d.]+/);
  });
});
