import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LogGenerator } from '../../lib/log-generator.js';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { pane, rows, waitUntilLive } from './helpers/ui.js';

/** How long the pane is watched while lines stream in. */
const WATCH_MS = 30_000;

/**
 * Issue 22, broken #1: a live pane must keep showing its newest rows when its box changes size
 * (a window resize, the pin strip or the selection bar coming and going, the context panel
 * narrowing it), not only when lines are appended.
 */
describe('a live pane keeps its rows in view', () => {
  const browser = useBrowser();
  const stack = useStack();

  /** Writes demo-like application lines (mostly INFO) every 100 ms until the returned function is called. */
  function startWriting(): () => Promise<void> {
    const generator = new LogGenerator('web-1', 7, 0.02);
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const now = new Date();
        const lines: string[] = [];
        for (let i = 0; i < 4; i += 1) lines.push(...generator.appLines(now));
        await stack.append(lines);
        // Pacing the generator (about 40 lines a second, the demo's rate), not waiting for a condition.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  }

  /** What the first pane shows: how many rows intersect its scroll box, and what its status says. */
  function sample(page: Page) {
    return pane(page, 1).evaluate((section) => {
      const scroller = section.querySelector('.stream__scroll')!;
      const box = scroller.getBoundingClientRect();
      const visible = [...scroller.querySelectorAll('[role="option"]')].filter((row) => {
        const rect = row.getBoundingClientRect();
        return rect.bottom > box.top + 1 && rect.top < box.bottom - 1;
      }).length;
      return {
        visible,
        status: section.querySelector('.stream-status')?.textContent ?? '',
        scrollTop: Math.round(scroller.scrollTop),
        scrollHeight: scroller.scrollHeight,
        clientHeight: scroller.clientHeight,
      };
    });
  }

  it('shows rows for 30 s of streaming after a resize, the pin strip and the context panel', async () => {
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1400, height: 900 } });
    await page.goto(`${stack.hub.url}/?q=INFO`);
    await waitUntilLive(page);
    // More lines than the live window holds (500), so the list is as tall as it gets.
    const backlog = new LogGenerator('web-1', 3, 0);
    const first: string[] = [];
    while (first.length < 700) first.push(...backlog.appLines(new Date()));
    await stack.append(first);
    const stopWriting = startWriting();
    try {
      await expect
        .poll(async () => Number(/([\d,]+) lines/.exec((await sample(page)).status)?.[1]?.replace(/,/g, '') ?? 0), { timeout: 30_000, interval: 250 })
        .toBeGreaterThan(500);

      // The context panel, opened on a row and closed again. The pane is paused first: a row of a
      // live list can move between Playwright finding it and the click landing.
      const pauseButton = pane(page, 1).locator('.stream-status__pause');
      await pauseButton.click();
      await expect.poll(async () => (await sample(page)).status, { timeout: 10_000 }).toMatch(/Paused/);
      await rows(pane(page, 1)).last().click();
      const context = page.getByRole('complementary', { name: 'Line context' });
      await context.waitFor();
      await context.getByRole('button', { name: 'Close context' }).click();
      await context.waitFor({ state: 'detached' });
      await page.getByRole('toolbar', { name: 'Selected lines' }).getByRole('button', { name: 'Clear' }).click();
      if (!/Live/.test((await sample(page)).status)) await pauseButton.click();
      await expect.poll(async () => (await sample(page)).status, { timeout: 10_000 }).toMatch(/Live/);

      // A smaller window, then the pane's filter pinned (the strip takes room above the stream) and unpinned.
      await page.setViewportSize({ width: 1200, height: 760 });
      await pane(page, 1).getByRole('button', { name: 'Pin', exact: true }).click();
      const form = page.getByRole('form', { name: 'Pin this filter' });
      await form.getByLabel('Pin name').fill('info lines');
      await form.getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByRole('group', { name: 'Pin info lines' }).waitFor();
      const bar = page.getByRole('navigation', { name: 'Pins' });
      await bar.locator('.pin-chip', { hasText: 'info lines' }).getByRole('button', { name: 'Delete pin info lines' }).click();
      await bar.locator('.pin-chip--confirm').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('group', { name: 'Pin info lines' }).waitFor({ state: 'detached' });
      // The strip gone, the pane shrinks again when the pin strip comes back: pin it once more and keep it.
      await pane(page, 1).getByRole('button', { name: 'Pin', exact: true }).click();
      await form.getByRole('button', { name: 'Pin', exact: true }).click();
      await page.getByRole('group', { name: /^Pin / }).waitFor();

      // Then watch: every sample must show rows, while the pane still says it is live.
      const deadline = Date.now() + WATCH_MS;
      let samples = 0;
      while (Date.now() < deadline) {
        const seen = await sample(page);
        samples += 1;
        expect(seen.status, JSON.stringify(seen)).toMatch(/Live/);
        expect(seen.visible, `no row in view after ${samples} samples: ${JSON.stringify(seen)}`).toBeGreaterThan(5);
        // The next sample once the page has painted again, not a fixed delay.
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200))));
      }
      expect(samples).toBeGreaterThan(10);

      // Wrapped rows are measured after the commit that adds them; what they grow by is followed too.
      await pane(page, 1).getByRole('button', { name: 'Wrap' }).click();
      await stopWriting();
      const lines: string[] = [];
      for (let i = 0; i < 12; i += 1) lines.push(`2026-11-27T09:00:00.000Z INFO [search] wrapped ${i} ${'k=v '.repeat(30 + i * 20)}`);
      lines.push('2026-11-27T09:00:00.000Z INFO [search] the last line (follow sentinel)');
      await stack.append(lines);
      await rows(pane(page, 1), 'follow sentinel').waitFor();
      await expect
        .poll(
          () =>
            pane(page, 1).evaluate((section) => {
              const box = section.querySelector('.stream__scroll')!.getBoundingClientRect();
              const row = [...section.querySelectorAll('[role="option"]')].find((candidate) => candidate.textContent?.includes('follow sentinel'));
              const rect = row?.getBoundingClientRect();
              return rect !== undefined && rect.top >= box.top - 0.5 && rect.bottom <= box.bottom + 0.5;
            }),
          { timeout: 10_000 },
        )
        .toBe(true);
      expect((await sample(page)).status).toMatch(/Live/);
    } finally {
      await stopWriting();
    }
  }, 150_000);
});
