import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliProcess } from '../helpers/cli-process.js';
import { appendLines, startAgent, startHub, waitForFollowing, type TestHub } from '../helpers/supergrep.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { pane, rows, waitUntilLive } from './helpers/ui.js';

/**
 * Issue 19 (history), in the browser: the hub keeps a small backlog here (4 KiB per file, about
 * 60 of these lines), so most lines written are only in history.
 */
const configDir = mkdtempSync(join(tmpdir(), 'supergrep-history-browser-'));
const hubConfig = join(configDir, 'hub.json');
writeFileSync(hubConfig, JSON.stringify({ backlogBytesPerSource: 4096 }));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

const LINES = 300;
/** `seq 0001 payment ok …`: numbered, so a gap or a duplicate shows. */
const numberedLines = (tag: string) => Array.from({ length: LINES }, (_, n) => `${tag} seq ${String(n + 1).padStart(4, '0')} payment ok order=${1000 + n}`);

/** The seq numbers of the rows a pane shows right now. */
async function visibleSeqs(page: Page): Promise<number[]> {
  const texts = await rows(pane(page, 1)).allTextContents();
  return texts.flatMap((text) => {
    const match = / seq (\d{4}) /.exec(text);
    return match ? [Number(match[1])] : [];
  });
}

/** The shown controls matching `selector` that have no size, stick out of the window, or lie under something else. */
async function hiddenControls(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((query) => {
    const problems: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>(query)) {
      if (!element.checkVisibility({ visibilityProperty: true })) continue;
      const box = element.getBoundingClientRect();
      const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 30) ?? element.tagName;
      if (box.width < 8 || box.height < 8) problems.push(`${name}: ${Math.round(box.width)}x${Math.round(box.height)} px`);
      else if (box.left < 0 || box.right > document.documentElement.clientWidth) problems.push(`${name}: outside the window`);
      else {
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        if (!hit || !(hit === element || element.contains(hit))) problems.push(`${name}: under ${hit ? `${hit.tagName}.${String(hit.className)}` : 'nothing'}`);
      }
    }
    return problems;
  }, selector);
}

describe('history in the UI', () => {
  const browser = useBrowser();
  const stack = useStack({ hubArgs: ['--config', hubConfig] });

  it('scrolls up past the live buffer into history, with no gap and no duplicate at the seam', async () => {
    await stack.append(numberedLines('scrollback'));
    await stack.takenIn('web-1');
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=scrollback`);
    await waitUntilLive(page);
    await rows(pane(page, 1), `seq ${String(LINES).padStart(4, '0')}`).waitFor();
    // The backlog alone does not reach the first line.
    expect(Math.min(...(await visibleSeqs(page)))).toBeGreaterThan(1);

    const scroller = pane(page, 1).locator('.stream__scroll');
    await scroller.hover();
    const seen = new Map<number, number>();
    for (let step = 0; step < 400 && !seen.has(1); step += 1) {
      for (const seq of await visibleSeqs(page)) seen.set(seq, (seen.get(seq) ?? 0) + 1);
      await page.mouse.wheel(0, -400);
      // Each wheel step waits for the list to settle on a frame, not for a fixed time.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    }
    for (const seq of await visibleSeqs(page)) seen.set(seq, 1);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: LINES }, (_, n) => n + 1));
    // Rows are keyed by line id: one row per line, whether it came from the backlog or from history.
    const ids = await rows(pane(page, 1)).evaluateAll((elements) => elements.map((element) => element.getAttribute('data-line-id')));
    expect(new Set(ids).size).toBe(ids.length);
    // In order from the top: the seam kept the file's order.
    const shown = await visibleSeqs(page);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
  });

  it('searches a time range, streams the results and saves them as a capture with the range', async () => {
    await stack.append(numberedLines('ranged'));
    await stack.takenIn('web-1');
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=ranged`);
    await waitUntilLive(page);
    await page.getByRole('button', { name: 'Live ▾' }).click();
    await page.getByRole('button', { name: 'Last 15 min' }).click();

    const results = page.getByRole('listbox', { name: 'History results for ranged' });
    await results.waitFor();
    await page.locator('.results__progress', { hasText: `${LINES} matches` }).waitFor({ timeout: 30_000 });
    // Newest first: the last line written is on top, the first one is in history only.
    await expect.poll(async () => (await rows(results).first().textContent()) ?? '').toContain(`seq ${String(LINES).padStart(4, '0')}`);
    await expect.poll(async () => page.locator('.results [role="alert"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Save capture' }).click();
    const form = page.getByRole('form', { name: 'Save capture' });
    await form.getByLabel('Capture title').fill('ranged lines');
    await form.getByRole('button', { name: `Save ${LINES} lines` }).click();
    const link = await page.getByRole('status', { name: 'Capture saved' }).getByRole('link').getAttribute('href');
    await page.goto(new URL(link!, stack.hub.url).href);
    await page.getByRole('heading', { name: 'ranged lines' }).waitFor();
    expect(await page.locator('.capture__meta dt').allTextContents()).toContain('Searched');
    expect(await page.locator('tr.capture-line').count()).toBe(LINES);
  });

  it('works at phone width: the time control and the results fit the screen', async () => {
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 390, height: 800 } });
    await page.goto(`${stack.hub.url}/?q=ranged`);
    await waitUntilLive(page);
    await page.getByRole('button', { name: 'Live ▾' }).click();
    // A custom range: the longest label the time control shows in the top bar.
    await page.getByRole('button', { name: 'Search range' }).click();
    await page.locator('.results__progress', { hasText: 'matches' }).waitFor({ timeout: 30_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await hiddenControls(page, '.topbar button, .results__bar button, .results__bar select')).toEqual([]);
  });
});

describe('a permalink to a line older than the live backlog, after a hub restart', () => {
  const browser = useBrowser();

  it('finds the line in history and shows it', async () => {
    const temp = await makeTempDir('supergrep-history-permalink-');
    const file = join(temp.dir, 'app.log');
    const dataDir = join(temp.dir, 'hub-data');
    const processes: CliProcess[] = [];
    let hub: TestHub | undefined;
    try {
      hub = await startHub({ dataDir, args: ['--config', hubConfig] });
      processes.push(hub.process);
      await mkdir(join(temp.dir, 'state'), { recursive: true });
      await writeFile(file, '');
      const agent = startAgent({ hubs: [hub.wsUrl], paths: [file], stateFile: join(temp.dir, 'state', 'agent.json'), name: 'web-1' });
      processes.push(agent);
      await waitForFollowing(agent, file);

      // The linked line, then enough lines after it to push it out of the 4 KiB backlog.
      await appendLines(file, ['checkout failed for order=4242 linked-line']);
      const page = await browser.newPage(hub.url);
      await page.goto(`${hub.url}/?q=order%3D`);
      await waitUntilLive(page);
      const target = rows(pane(page, 1), 'linked-line');
      await target.waitFor();
      const id = await target.getAttribute('data-line-id');
      expect(id).toBeTruthy();
      await appendLines(file, numberedLines('filler'));
      await rows(pane(page, 1), `filler seq ${String(LINES).padStart(4, '0')}`).waitFor();

      // Restart the hub on the same port and data directory; the agent reconnects.
      await hub.process.stop(10_000);
      hub = await startHub({ dataDir, port: hub.port, args: ['--config', hubConfig] });
      processes[0] = hub.process;
      const restarted = hub;
      await waitFor('the agent to reconnect', async () => {
        const metrics = await fetch(`${restarted.url}/metrics`).then(async (response) => response.text());
        return /^supergrep_agents(\{[^}]*\})? [1-9]/m.test(metrics);
      }, 30_000);

      // On a phone, as on call: the context opens as a sheet over the pane.
      const linked = await browser.newPage(hub.url, { viewport: { width: 390, height: 844 } });
      await linked.goto(`${hub.url}/?q=order%3D#line=${encodeURIComponent(id!)}`);
      await waitUntilLive(linked);
      // The hub answers the context from history: the panel shows the line.
      const context = linked.getByRole('complementary', { name: 'Line context' });
      await context.getByText('linked-line').waitFor({ timeout: 30_000 });
      // Not in the pane's backlog: the banner (under the sheet until it is closed) offers the history around it, where it is highlighted.
      await context.getByRole('button', { name: 'Close context' }).click();
      await linked.getByRole('button', { name: 'Show it in history' }).click();
      await linked.locator(`.results [data-line-id="${id}"].log-row--highlighted`).waitFor({ timeout: 30_000 });
    } finally {
      for (const process of processes.slice(1)) await process.stop(5_000);
      await processes[0]?.stop(5_000);
      await temp.cleanup();
    }
  });
});
