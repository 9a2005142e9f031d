import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Discovery } from '../../../../agent/discovery/discovery.js';
import { silentLogger } from '../../../../lib/logger.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { waitFor } from '../../../helpers/wait.js';

describe('Discovery', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let discovery: Discovery | undefined;
  const events: string[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-discovery-'));
    events.length = 0;
  });
  afterEach(async () => {
    await discovery?.stop();
    discovery = undefined;
    await cleanup();
  });

  function start(paths: string[], rescanIntervalMs: number): Promise<string[]> {
    discovery = new Discovery(paths, rescanIntervalMs, silentLogger(), {
      appeared: (path) => events.push(`appeared ${path}`),
      removed: (path) => events.push(`removed ${path}`),
      listed: () => {},
    });
    return discovery.start();
  }

  it('finds the matching files at start, then those that appear and go away, below the base too', async () => {
    await mkdir(join(dir, 'pods', 'a'), { recursive: true });
    await writeFile(join(dir, 'pods', 'a', '0.log'), '');
    await writeFile(join(dir, 'pods', 'a', 'skip.txt'), '');
    expect(await start([join(dir, 'pods', '*', '*.log')], 60_000)).toEqual([join(dir, 'pods', 'a', '0.log')]);

    await mkdir(join(dir, 'pods', 'b'));
    await writeFile(join(dir, 'pods', 'b', '0.log'), '');
    await waitFor('the new file', () => events.includes(`appeared ${join(dir, 'pods', 'b', '0.log')}`), 5_000);
    await rm(join(dir, 'pods', 'a'), { recursive: true });
    await waitFor('the removed file', () => events.includes(`removed ${join(dir, 'pods', 'a', '0.log')}`), 5_000);
    expect(events).toEqual([`appeared ${join(dir, 'pods', 'b', '0.log')}`, `removed ${join(dir, 'pods', 'a', '0.log')}`]);
  });

  it('reports a removal that a rescan saw first', async () => {
    const file = join(dir, 'app.log');
    await writeFile(file, '');
    expect(await start([file], 50)).toEqual([file]);
    await rm(file);
    await waitFor('the removal', () => events.includes(`removed ${file}`), 5_000);
  });

  it('finds a base directory created after start-up', async () => {
    expect(await start([join(dir, 'later', '*.log')], 60_000)).toEqual([]);
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later', 'x.log'), '');
    await waitFor('the file in the new directory', () => events.includes(`appeared ${join(dir, 'later', 'x.log')}`), 5_000);
  });
});
