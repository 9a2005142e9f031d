import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI, CliProcess } from '../helpers/cli-process.js';
import { hubMetric } from '../helpers/reliability.js';
import { appendLines, join, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { useScratch } from '../helpers/scratch.js';
import { waitFor } from '../helpers/wait.js';

/** The command-line surface: help, exit codes, refusals, and `tail` against a real hub. */
describe('supergrep CLI', () => {
  const scratch = useScratch();
  const { processes } = scratch;

  function run(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    const process = new CliProcess(args, env);
    processes.push(process);
    return process;
  }

  it.each(['hub', 'agent', 'tail', 'search', 'demo', 'deploy'])('prints help for %s and exits 0', async (command) => {
    const help = run([command, '--help']);
    expect((await help.exited).code).toBe(0);
    expect(help.stdoutLines.join('\n')).toMatch(new RegExp(`Usage: supergrep ${command}`));
    // Every file the help points to is in the repository (issue 22: docs/configuration.md was not).
    const root = new URL('../../', import.meta.url);
    const files = help.stdoutLines.join('\n').match(/\b[\w./-]+\.(?:md|ts)\b/g) ?? [];
    for (const file of files) expect(existsSync(new URL(file, root)), `${command} --help points to ${file}`).toBe(true);
  });

  it.each([
    [['frobnicate'], /unknown command/],
    [['hub', '--port', 'eighty'], /expected a whole number/],
    [['agent', '/var/log/x.log'], /--hub/],
    [['tail', '--hub', 'http://127.0.0.1:1'], /missing required argument/],
    [['hub', '--config', '/nonexistent/config.json'], /cannot read config file/],
    [['search', '--hub', 'http://127.0.0.1:1', '--from', 'yesterday', 'x'], /--from yesterday is not a time/],
    [['search', '--hub', 'http://127.0.0.1:1', '--order', 'up', 'x'], /--order up: expected asc or desc/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const child = run(args);
    expect((await child.exited).code).toBe(2);
    expect(child.stderrLines.join('\n')).toMatch(message);
  });

  /** The arguments of a CLI process once its launcher has handed over to Node, from /proc. */
  async function nodeCommandLine(pid: number): Promise<string[]> {
    return waitFor('the launcher to start Node', async () => {
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
      return /(^|\/)node$/.test(args[0] ?? '') ? args : undefined;
    });
  }

  it('starts the hub with its own Node flags through the launcher, and other commands without them', async () => {
    const hub = run(['hub', '--port', '0', '--data', join(scratch.dir, 'hub')]);
    const listening = await hub.waitForLog('hub listening', (record) => record.msg === 'hub listening');
    const hubArgs = await nodeCommandLine(hub.pid);
    expect(hubArgs.slice(0, 2)).toEqual([expect.stringMatching(/node$/), '--initial-old-space-size=64']);
    expect(hubArgs.slice(2, 4)).toEqual([CLI, 'hub']);

    const tail = run(['tail', '--hub', String(listening.url), 'ERROR']);
    const tailArgs = await nodeCommandLine(tail.pid);
    expect(tailArgs.slice(1, 3)).toEqual([CLI, 'tail']);
    expect(tailArgs).not.toContain('--initial-old-space-size=64');
  });

  it('still runs as `node bin/supergrep`, without the launcher', async () => {
    const child = spawn(process.execPath, [CLI, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses to listen beyond loopback without tokens, and says so', async () => {
    const hub = run(['hub', '--host', '0.0.0.0', '--port', '0', '--data', join(scratch.dir, 'hub')]);
    expect((await hub.exited).code).toBe(2);
    expect(hub.stderrLines.join('\n')).toMatch(/refusing to listen on 0\.0\.0\.0 without tokens/);
  });

  it('reports every bad key of a config file at once', async () => {
    const config = join(scratch.dir, 'hub.json');
    await writeFile(config, JSON.stringify({ port: 'x', backlogLines: 5 }));
    const hub = run(['hub', '--config', config]);
    expect((await hub.exited).code).toBe(2);
    const text = hub.stderrLines.join('\n');
    expect(text).toMatch(/port/);
    expect(text).toMatch(/backlogLines/);
  });

  describe('tail against a running hub', () => {
    let hub: TestHub;
    let log: string;

    beforeEach(async () => {
      hub = await startHub({ dataDir: join(scratch.dir, 'hub') });
      processes.push(hub.process);
      log = join(scratch.dir, 'app.log');
      await writeFile(log, '');
      const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(scratch.dir, 'agent.json'), name: 'web-1' });
      processes.push(agent);
      await waitForFollowing(agent, log);
    });

    it('prints matching lines as JSON, with backlog first, and reconnects after a hub restart', async () => {
      await appendLines(log, ['old ERROR one', 'old info']);
      const tail = run(['tail', '--hub', hub.url, '--json', '--backlog', '10', '-i', 'error']);
      await tail.waitForStdout('the backlog line', (line) => line.includes('old ERROR one'));
      await appendLines(log, ['new Error two', 'nothing here']);
      await tail.waitForStdout('the live line', (line) => line.includes('new Error two'));
      const records = tail.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.map((r) => r.line)).toEqual(['old ERROR one', 'new Error two']);
      expect(records[1]).toMatchObject({ host: 'web-1', file: log, ranges: [[4, 9]] });
      expect(new Date(String(records[1]!.time)).getTime()).toBe(records[1]!.ts);

      hub.process.kill('SIGKILL');
      await hub.process.exited;
      await appendLines(log, ['during the outage: ERROR three']);
      const restarted = await startHub({ dataDir: join(scratch.dir, 'hub'), port: hub.port });
      processes.push(restarted.process);
      await tail.waitForStdout('the line written during the outage', (line) => line.includes('ERROR three'), 40_000);
      expect(tail.stderrLines.join('\n')).toMatch(/reconnect/);
    });

    it('prints plain lines with --exclude and --file filters', async () => {
      // A line already in the backlog shows when the subscription is live.
      await appendLines(log, ['status=200 before the tail']);
      await waitFor('the line at the hub', async () => (await hubMetric(hub.url, 'supergrep_agent_lines_total{host="web-1"}')) === 1);
      const tail = run(['tail', '--hub', hub.url, '--backlog', '10', '--exclude', 'debug', '--file', '*.log', 'status']);
      await tail.waitForStdout('the backlog line', (line) => line.includes('status=200'));
      await appendLines(log, ['status=500 debug', 'status=503 real']);
      await tail.waitForStdout('the plain line', (line) => line.includes('status=503'));
      expect(tail.stdoutLines).toEqual([`web-1 ${log}: status=200 before the tail`, `web-1 ${log}: status=503 real`]);
    });

    it('prints the time a line states, and marks a line that states none with ~ and its received time', async () => {
      const stated = new Date(Date.now() - 60_000).toISOString();
      await appendLines(log, [`${stated} ERROR stated`, 'ERROR unstated']);
      await waitFor('the lines at the hub', async () => (await hubMetric(hub.url, 'supergrep_agent_lines_total{host="web-1"}')) === 2);
      const json = run(['tail', '--hub', hub.url, '--json', '--backlog', '10', 'ERROR']);
      const plain = run(['tail', '--hub', hub.url, '--time', '--backlog', '10', 'ERROR']);
      await json.waitForStdout('both lines as JSON', (line) => line.includes('ERROR unstated'));
      await plain.waitForStdout('both plain lines', (line) => line.includes('ERROR unstated'));
      const records = json.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records[0]).toMatchObject({ eventTs: Date.parse(stated), eventTime: stated });
      expect(records[1]).not.toHaveProperty('eventTs');
      expect(plain.stdoutLines).toEqual([`${stated} web-1 ${log}: ${stated} ERROR stated`, `~${String(records[1]!.time)} web-1 ${log}: ERROR unstated`]);
    });

    it('exits 2 with the hub\'s message for a pattern RE2 refuses', async () => {
      const tail = run(['tail', '--hub', hub.url, '(a)\\1']);
      expect((await tail.exited).code).toBe(2);
      expect(tail.stderrLines.join('\n')).toMatch(/backreference/i);
    });
  });
});
