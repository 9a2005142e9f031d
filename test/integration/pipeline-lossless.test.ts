import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, Collector, join, numbered, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** The whole pipeline through the real CLI: a hub process, an agent process, a viewer. */
describe('pipeline: appended lines reach a viewer exactly, in order', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let hub: TestHub;
  let agent: CliProcess;
  const collectors: Collector[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    hub = await startHub({ dataDir: join(dir, 'hub') });
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await agent?.stop();
    await hub.process.stop();
    await cleanup();
  });

  function watch(filter: ConstructorParameters<typeof Collector>[1]): Promise<Collector> {
    const collector = new Collector(hub.url, filter);
    collectors.push(collector);
    return collector.ready();
  }

  it('delivers exactly the matching lines of 10,000 appended ones, in order, with ranges', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, 'existing line before the agent started: ERROR not expected\n');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [join(dir, '*.log')], stateFile: join(dir, 'agent.json') });
    await waitForFollowing(agent, log);
    const errors = await watch({ query: 'ERROR \\d+' });
    const everything = await watch({ query: '' });

    const lines = Array.from({ length: 10_000 }, (_, i) => (i % 7 === 0 ? `ERROR ${i} payment failed` : `INFO ${i} ok`));
    for (let i = 0; i < lines.length; i += 500) await appendLines(log, lines.slice(i, i + 500));

    const expected = lines.filter((line) => /ERROR \d+/.test(line));
    await errors.waitForCount(expected.length);
    await everything.waitForCount(lines.length);
    expect(errors.texts()).toEqual(expected);
    expect(everything.texts()).toEqual(lines);
    for (const line of errors.lines) {
      const [start, end] = line.ranges[0]!;
      expect(line.line.slice(start, end)).toMatch(/^ERROR \d+$/);
      expect(line.host).toBe('test-host');
      expect(line.file).toBe(log);
    }
  });

  it('applies include and exclude together, case-insensitively when asked', async () => {
    const log = join(dir, 'app.log');
    await writeFile(log, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [log], stateFile: join(dir, 'agent.json') });
    await waitForFollowing(agent, log);
    const viewer = await watch({ query: 'status=5\\d\\d', exclude: 'healthcheck', caseInsensitive: true });
    await appendLines(log, [
      'GET /cart STATUS=503 rt=1.2',
      'GET /healthcheck status=500',
      'GET / status=200',
      'GET /checkout status=502',
      'GET /HEALTHCHECK status=504',
    ]);
    await appendLines(log, ['marker status=599']);
    await viewer.waitForCount(3);
    expect(viewer.texts()).toEqual(['GET /cart STATUS=503 rt=1.2', 'GET /checkout status=502', 'marker status=599']);
  });

  it('follows a file created after start that matches the glob, from its first line', async () => {
    agent = startAgent({ hubs: [hub.wsUrl], paths: [join(dir, 'logs', '*.log')], stateFile: join(dir, 'agent.json') });
    await agent.waitForLog('agent start', (r) => r.msg === 'agent started');
    const viewer = await watch({ query: 'late' });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'logs'), { recursive: true });
    const late = join(dir, 'logs', 'late.log');
    await appendLines(late, numbered('late', 50));
    await appendLines(join(dir, 'logs', 'ignored.txt'), ['late but not a .log file']);
    await viewer.waitForCount(50);
    expect(viewer.texts()).toEqual(numbered('late', 50));
    expect(viewer.lines.every((line) => line.file === late)).toBe(true);
  });

  it('filters by host and file globs', async () => {
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    await writeFile(a, '');
    await writeFile(b, '');
    agent = startAgent({ hubs: [hub.wsUrl], paths: [join(dir, '*.log')], stateFile: join(dir, 'agent.json'), name: 'web-7' });
    await waitForFollowing(agent, b);
    const onlyB = await watch({ query: 'x', files: ['b.log'] });
    const otherHost = await watch({ query: 'x', hosts: ['db-*'] });
    const thisHost = await watch({ query: 'x', hosts: ['web-*'] });
    await appendLines(a, ['x from a']);
    await appendLines(b, ['x from b']);
    await thisHost.waitForCount(2);
    await onlyB.waitForCount(1);
    expect(onlyB.texts()).toEqual(['x from b']);
    expect(otherHost.lines).toEqual([]);
  });
});
