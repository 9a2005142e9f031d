import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventText } from '../../protocol/index.js';
import type { CliProcess } from '../helpers/cli-process.js';
import { FakeHub } from '../helpers/fake-hub.js';
import { FAST_AGENT, writeJson } from '../helpers/reliability.js';
import { Collector, searchCli, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const T1 = '2026-12-07T10:00:01.123456789Z';
const T2 = '2026-12-07T10:00:02.000000001Z';
const T3 = '2026-12-07T10:00:03.5Z';
const CONTAINER_ID = 'a'.repeat(64);

/** One CRI line as the kubelet writes it. */
function cri(time: string, stream: 'stdout' | 'stderr', tag: 'P' | 'F', message: string): string {
  return `${time} ${stream} ${tag} ${message}\n`;
}

/** One Docker json-file line. */
function docker(log: string, stream: 'stdout' | 'stderr', time: string): string {
  return `${JSON.stringify({ log, stream, time })}\n`;
}

describe('agent container log formats', () => {
  const processes: CliProcess[] = [];
  const collectors: Collector[] = [];
  let hub: FakeHub;
  let realHub: TestHub | undefined;
  let dir: string;
  let stateFile: string;
  let config: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-agent-containers-'));
    stateFile = join(dir, 'agent-state.json');
    config = await writeJson(join(dir, 'agent-config.json'), FAST_AGENT);
    hub = await FakeHub.start();
  });

  afterEach(async () => {
    for (const collector of collectors.splice(0)) collector.close();
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await realHub?.process.stop();
    realHub = undefined;
    await hub.close();
    await cleanup();
  });

  async function agent(paths: string[], follows: string, args: string[] = [], hubUrl = hub.url): Promise<CliProcess> {
    const started = startAgent({ hubs: [hubUrl], paths, stateFile, args: ['--config', config, ...args] });
    processes.push(started);
    await waitForFollowing(started, follows);
    return started;
  }

  const received = (file: string): string[] => hub.linesOf(file).map(eventText);

  it('decodes CRI lines under /pods/, joining partial lines across reads and a stack trace on stderr', async () => {
    const podDir = join(dir, 'pods', 'shop_web-1_0f6d2c1e-uid', 'app');
    await mkdir(podDir, { recursive: true });
    const file = join(podDir, '0.log');
    await writeFile(file, '');
    await agent([join(dir, 'pods', '*', '*', '*.log')], file, ['--multiline-flush', '60s']);

    await appendFile(file, cri(T1, 'stdout', 'F', 'ready on :8080') + cri(T2, 'stdout', 'P', 'a line the runtime ') + cri(T2, 'stdout', 'P', 'split in '));
    await waitFor('the first line', () => received(file).length >= 1);
    // The split line's last part has not come: nothing of it is sent yet.
    expect(received(file)).toEqual([`${T1} stdout ready on :8080`]);

    await appendFile(file, cri(T2, 'stdout', 'F', 'three parts'));
    await appendFile(file, cri(T3, 'stderr', 'F', 'java.lang.IllegalStateException: cart is null') + cri(T3, 'stderr', 'F', '\tat com.shop.Cart.total(Cart.java:42)'));
    await appendFile(file, cri(T3, 'stderr', 'F', '\tat com.shop.Checkout.run(Checkout.java:17)') + cri(T3, 'stdout', 'F', 'next request'));
    await waitFor('the line after the trace', () => received(file).includes(`${T3} stdout next request`));
    expect(received(file)).toEqual([
      `${T1} stdout ready on :8080`,
      `${T2} stdout a line the runtime split in three parts`,
      `${T3} stderr java.lang.IllegalStateException: cart is null\n\tat com.shop.Cart.total(Cart.java:42)\n\tat com.shop.Checkout.run(Checkout.java:17)`,
      `${T3} stdout next request`,
    ]);
    expect(hub.problems).toEqual([]);
  });

  it('decodes Docker json-file lines: escaped newlines make one event, a split log joins', async () => {
    const containerDir = join(dir, 'containers', CONTAINER_ID);
    await mkdir(containerDir, { recursive: true });
    const file = join(containerDir, `${CONTAINER_ID}-json.log`);
    await writeFile(file, '');
    await agent([join(dir, 'containers', '*', '*-json.log')], file, ['--multiline-flush', '60s']);

    await appendFile(
      file,
      docker('started "worker" \u00e9\n', 'stdout', T1) +
        docker('Traceback (most recent call last):\n  File "job.py", line 3, in run\n    step()\nValueError: bad\n', 'stderr', T2) +
        docker('first half, ', 'stdout', T3) +
        docker('second half\n', 'stdout', T3) +
        docker('done\n', 'stdout', T3),
    );
    await waitFor('the last line', () => received(file).includes(`${T3} stdout done`));
    expect(received(file)).toEqual([
      `${T1} stdout started "worker" \u00e9`,
      `${T2} stderr Traceback (most recent call last):\n  File "job.py", line 3, in run\n    step()\nValueError: bad`,
      `${T3} stdout first half, second half`,
      `${T3} stdout done`,
    ]);
    expect(hub.problems).toEqual([]);
  });

  it('gives viewers the runtime time and the pod labels, and scopes a search by namespace', async () => {
    realHub = await startHub({ dataDir: join(dir, 'hub') });
    const viewer = await new Collector(realHub.url, { query: 'checkout', namespaces: ['shop'] }).ready();
    collectors.push(viewer);
    const shop = join(dir, 'pods', 'shop_web-1_uid1', 'app', '0.log');
    const other = join(dir, 'pods', 'billing_web-2_uid2', 'app', '0.log');
    for (const file of [shop, other]) {
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, '');
    }
    await agent([join(dir, 'pods', '*', '*', '*.log')], other, ['--format', 'cri'], realHub.wsUrl);
    await appendFile(other, cri(T1, 'stdout', 'F', 'checkout in billing'));
    await appendFile(shop, cri(T2, 'stdout', 'F', 'checkout in shop'));
    await waitFor('the shop line', () => viewer.lines.length >= 1);
    expect(viewer.lines.map((line) => [line.line, line.eventTs, line.file])).toEqual([[`${T2} stdout checkout in shop`, Date.parse(T2), shop]]);
    await waitFor('the billing line in history', async () => (await searchCli(realHub!.url, 'checkout in billing')).lines.length === 1);
    const scoped = await searchCli(realHub.url, 'checkout', ['--namespace', 'shop']);
    expect(scoped.lines.map((line) => line.line)).toEqual([`${T2} stdout checkout in shop`]);
  });
});
