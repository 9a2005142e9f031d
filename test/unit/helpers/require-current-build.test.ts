import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleBuild } from '../../helpers/require-current-build.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Seconds since the epoch, long before any file of these tests. */
const OLD = Date.now() / 1000 - 3_600;

describe('the check that integration and browser tests run a current build', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  /** Writes `path` under the temporary root with its modification time `secondsAgo` in the past. */
  async function file(path: string, secondsAgo: number): Promise<void> {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, '');
    const at = Date.now() / 1000 - secondsAgo;
    await utimes(full, at, at);
    // Its directories as if untouched since the sources were checked out.
    for (let parent = dirname(full); parent !== dir; parent = dirname(parent)) await utimes(parent, OLD, OLD);
  }

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('sg-build-check-'));
    await file('server/hub.ts', 300);
    await file('agent/agent.ts', 300);
    await file('ui/src/app/app.tsx', 300);
  });

  afterEach(async () => {
    await cleanup();
  });

  it('accepts a build newer than every source', async () => {
    await file('dist/bundle/main.js', 100);
    await file('dist/bundle/chunks/hub.js', 100);
    await file('dist/ui/index.html', 100);
    expect(staleBuild('integration', dir)).toBeUndefined();
    expect(staleBuild('browser', dir)).toBeUndefined();
  });

  it('names the source edited after the build', async () => {
    await file('dist/bundle/main.js', 100);
    await file('dist/ui/index.html', 100);
    await file('server/viewers/viewer-outbox.ts', 10);
    expect(staleBuild('integration', dir)).toMatch(/^dist\/bundle is older than server\/viewers\/viewer-outbox\.ts: run `npm run build`/);
  });

  it('judges a build by its oldest output file', async () => {
    await file('dist/bundle/main.js', 10);
    await file('dist/bundle/chunks/agent.js', 400);
    await file('dist/ui/index.html', 10);
    expect(staleBuild('integration', dir)).toMatch(/^dist\/bundle is older than (agent|server)\//);
  });

  it('checks the UI build only for the browser tests', async () => {
    await file('dist/bundle/main.js', 100);
    await file('dist/ui/index.html', 100);
    await file('ui/src/features/panes/pane.tsx', 10);
    expect(staleBuild('integration', dir)).toBeUndefined();
    expect(staleBuild('browser', dir)).toMatch(/^dist\/ui is older than ui\/src\/features\/panes\/pane\.tsx/);
  });

  it('notices a source removed after the build', async () => {
    await file('dist/bundle/main.js', 100);
    await file('dist/ui/index.html', 100);
    const now = Date.now() / 1000;
    await utimes(join(dir, 'server'), now, now);
    expect(staleBuild('integration', dir)).toMatch(/^dist\/bundle is older than server:/);
  });

  it('says so when there is no build at all', () => {
    expect(staleBuild('integration', dir)).toMatch(/^dist\/bundle is missing: run `npm run build`/);
  });
});
