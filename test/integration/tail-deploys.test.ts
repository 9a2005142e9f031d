import { writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Deploy } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { api } from '../helpers/http-api.js';
import { useScratch } from '../helpers/scratch.js';
import { appendLines, join, searchCli, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { waitFor } from '../helpers/wait.js';

/** Deploy markers in `supergrep tail` (live and replayed with the backlog) and `supergrep search`. */
describe('deploy dividers in the CLI', () => {
  const scratch = useScratch();
  const { processes } = scratch;
  let hub: TestHub;
  let log: string;

  function run(args: string[]): CliProcess {
    const process = new CliProcess(args);
    processes.push(process);
    return process;
  }

  beforeEach(async () => {
    hub = await startHub({ dataDir: join(scratch.dir, 'hub') });
    processes.push(hub.process);
    log = join(scratch.dir, 'app.log');
    await writeFile(log, '');
    const agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(scratch.dir, 'agent.json'), name: 'web-1' });
    processes.push(agent);
    await waitForFollowing(agent, log);
  });

  it('prints a divider for a live deploy and a JSON record with --json, and again among the backlog after a restart', async () => {
    const plain = run(['tail', '--hub', hub.url, '--backlog', '10', 'ERROR']);
    const json = run(['tail', '--hub', hub.url, '--json', '--backlog', '10', 'ERROR']);
    await appendLines(log, ['before ERROR 1']);
    await plain.waitForStdout('the first line', (line) => line.endsWith('before ERROR 1'));
    await json.waitForStdout('the first line as JSON', (line) => line.includes('before ERROR 1'));

    // A label with a terminal escape in it: printed inert, like a log line.
    const posted = await api<Deploy>(hub.url, 'POST', '/api/deploys', { json: { label: 'web 2026-12-07.3\u001b[2J', by: 'alice' } });
    expect(posted.status).toBe(201);
    const divider = `──── deploy web 2026-12-07.3\\x1b[2J by alice at ${new Date(posted.body.startedAt).toISOString()} ────`;
    await plain.waitForStdout('the live divider', (line) => line === divider);
    const record = JSON.parse(await json.waitForStdout('the deploy record', (line) => line.includes('"type":"deploy"'))) as Record<string, unknown>;
    expect(record).toEqual({ type: 'deploy', id: posted.body.id, label: 'web 2026-12-07.3\u001b[2J', by: 'alice', startedAt: posted.body.startedAt, time: new Date(posted.body.startedAt).toISOString() });

    await appendLines(log, ['after ERROR 2']);
    await plain.waitForStdout('the second line', (line) => line.endsWith('after ERROR 2'));
    expect(plain.stdoutLines).toEqual([`web-1 ${log}: before ERROR 1`, divider, `web-1 ${log}: after ERROR 2`]);
    await plain.stop();
    await json.stop();

    // A new tail replays the backlog with the deploy at its place in time among the lines.
    const again = run(['tail', '--hub', hub.url, '--backlog', '10', 'ERROR']);
    await again.waitForStdout('the replayed second line', (line) => line.endsWith('after ERROR 2'));
    expect(again.stdoutLines).toEqual([`web-1 ${log}: before ERROR 1`, divider, `web-1 ${log}: after ERROR 2`]);
    const againJson = run(['tail', '--hub', hub.url, '--json', '--backlog', '10', 'ERROR']);
    await againJson.waitForStdout('the replayed second line as JSON', (line) => line.includes('after ERROR 2'));
    expect(againJson.stdoutLines.map((line) => (JSON.parse(line) as { type?: string; line?: string }).type ?? (JSON.parse(line) as { line: string }).line)).toEqual([
      'before ERROR 1',
      'deploy',
      'after ERROR 2',
    ]);

    // History: `supergrep search` has the deploy among the matches too.
    const searched = await waitFor('both lines in history', async () => {
      const result = await searchCli(hub.url, 'ERROR', ['--order', 'asc', '--from', '1h']);
      return result.lines.some((line) => line.line === 'after ERROR 2') ? result : undefined;
    });
    expect(searched.lines.map((line) => (line as { type?: string }).type ?? line.line)).toEqual(['before ERROR 1', 'deploy', 'after ERROR 2']);
  });
});
