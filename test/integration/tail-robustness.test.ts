import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CliProcess } from '../helpers/cli-process.js';
import { appendLines, join, startAgent, startHub, waitForFollowing } from '../helpers/supergrep.js';
import { useScratch } from '../helpers/scratch.js';
import { waitFor } from '../helpers/wait.js';

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `supergrep tail` when the hub is not there, and with hostile names, through the real CLI. */
describe('supergrep tail robustness', () => {
  const scratch = useScratch();
  const { processes } = scratch;

  function tail(args: string[]): CliProcess {
    const cli = new CliProcess(['tail', ...args]);
    processes.push(cli);
    return cli;
  }

  it('says why it cannot reach a closed port, and exits 1 at --timeout', async () => {
    const port = await closedPort();
    const cli = tail(['--hub', `http://127.0.0.1:${port}`, '--timeout', '2s', 'x']);
    const { code } = await cli.exited;
    expect(code).toBe(1);
    const stderr = cli.stderrLines.join('\n');
    expect(stderr).toContain(`cannot reach hub ws://127.0.0.1:${port}/ws/client: connection refused (ECONNREFUSED); retrying in`);
    expect(stderr).toContain(`supergrep: cannot reach hub ws://127.0.0.1:${port}/ws/client within 2s: connection refused (ECONNREFUSED)`);
  });

  it('says a host name does not resolve, and exits 1 at --timeout', async () => {
    const cli = tail(['--hub', 'http://nonexistent.invalid:7070', '--timeout', '2s', 'x']);
    const { code } = await cli.exited;
    expect(code).toBe(1);
    // Without a DNS server to say "no such name", the lookup fails with EAI_AGAIN instead.
    expect(cli.stderrLines.join('\n')).toMatch(/supergrep: cannot reach hub ws:\/\/nonexistent\.invalid:7070\/ws\/client within 2s: .*\((ENOTFOUND|EAI_AGAIN)\)/);
  });

  it('keeps retrying until the hub starts, then prints its matches', async () => {
    const port = await closedPort();
    const cli = tail(['--hub', `http://127.0.0.1:${port}`, 'arrived']);
    await waitFor('tail to report the refused connection', () => cli.stderrLines.some((line) => line.includes('connection refused (ECONNREFUSED)')));
    const hub = await startHub({ dataDir: join(scratch.dir, 'hub'), port });
    processes.push(hub.process);
    await waitFor('tail to connect', () => cli.stderrLines.some((line) => line.includes(`connected to ws://127.0.0.1:${port}/ws/client`)));
    const log = join(scratch.dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(scratch.dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, log);
    await appendLines(log, ['the line arrived']);
    await cli.waitForStdout('the matched line', (line) => line.endsWith(': the line arrived'));
    expect(cli.running).toBe(true);
  });

  it('prints a hostile file name and line without raw control characters', async () => {
    const hub = await startHub({ dataDir: join(scratch.dir, 'hub') });
    processes.push(hub.process);
    const logs = join(scratch.dir, 'logs');
    const hostileName = 'x\u001b]0;PWNED\u0007\u001b[2K\r\u009b31m\u202e.log';
    await mkdir(logs);
    const file = join(logs, hostileName);
    await writeFile(file, '');
    // A glob, since the name itself holds [ and ] that would be read as one.
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [join(logs, '*.log')], stateFile: join(scratch.dir, 'agent.json') });
    processes.push(agent);
    await waitForFollowing(agent, file);
    await appendLines(file, ['evil \u001b]52;c;cGF5bG9hZA==\u0007 \u001b[1A\r\u0085 line']);
    // From the backlog, so neither tail can miss the line.
    const plain = tail(['--hub', hub.url, '--backlog', '10', 'evil']);
    const json = tail(['--hub', hub.url, '--backlog', '10', '--json', 'evil']);
    const printed = await plain.waitForStdout('the plain line', (line) => line.includes('evil'));
    const printedJson = await json.waitForStdout('the JSON line', (line) => line.includes('evil'));
    for (const text of [printed, printedJson]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    expect(printed).toBe(`test-host ${logs}/x\\x1b]0;PWNED\\x07\\x1b[2K\\x0d\\x9b31m\\u202e.log: evil \\x1b]52;c;cGF5bG9hZA==\\x07 \\x1b[1A\\x0d\\x85 line`);
    const parsed = JSON.parse(printedJson) as { file: string; line: string };
    expect(parsed.file).toBe(file);
    expect(parsed.line).toBe('evil \u001b]52;c;cGF5bG9hZA==\u0007 \u001b[1A\r\u0085 line');
  });
});
