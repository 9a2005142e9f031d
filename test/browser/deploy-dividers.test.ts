import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Deploy } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { RESULTS_DIR, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { readClipboard, rows, waitUntilLive } from './helpers/ui.js';

/** Deploy dividers placed by time among lines, after a reload too, in history results and in Copy Markdown. */
describe('deploy dividers everywhere lines go', () => {
  const browser = useBrowser();
  const stack = useStack();

  /** The stream's rows from the top: `DEPLOY <label>` for a divider, else the row's `tag-N` word. */
  function streamOrder(page: Page, selector = '.pane .stream__item'): Promise<string[]> {
    return page.locator(selector).evaluateAll((items) =>
      items
        .map((item) => ({ top: new DOMMatrix(getComputedStyle(item).transform).m42, text: item.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((item) => /Deploy (web \S+)/.exec(item.text)?.[1] ?? /\b(before|after)-\d\b/.exec(item.text)?.[0] ?? item.text),
    );
  }

  it('keeps the divider at its place in time after a reload, shows it in history results, and copies it in the Markdown with permalinks', async () => {
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 800 } });
    await page.goto(`${stack.hub.url}/?q=divider-test`);
    await waitUntilLive(page);
    await stack.append(['divider-test before-1', 'divider-test before-2']);
    await rows(page, 'before-2').waitFor();
    const posted = await api<Deploy>(stack.hub.url, 'POST', '/api/deploys', { json: { label: 'web 2026-12-07.3', by: 'alice' } });
    expect(posted.status).toBe(201);
    await page.locator('.marker-row--deploy').waitFor();
    await stack.append(['divider-test after-1', 'divider-test after-2']);
    await rows(page, 'after-2').waitFor();
    const expected = ['before-1', 'before-2', 'web 2026-12-07.3', 'after-1', 'after-2'];
    expect(await streamOrder(page)).toEqual(expected);

    // A reload replays the backlog with the deploy at its place among the lines.
    await page.reload();
    await waitUntilLive(page);
    await rows(page, 'after-2').waitFor();
    await page.locator('.marker-row--deploy').waitFor();
    expect(await streamOrder(page)).toEqual(expected);
    const time = new Date(posted.body.startedAt).toISOString().slice(11, 19); // the page runs in UTC
    expect(await page.locator('.marker-row--deploy').textContent()).toContain(`Deploy web 2026-12-07.3 by alice · ${time}`);
    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: join(RESULTS_DIR, 'deploy-divider-after-reload-1280x800.png') });

    // Copy Markdown of a selection spanning the deploy: the divider between the lines, and each line's permalink.
    await rows(page, 'before-2').click();
    await rows(page, 'after-1').click({ modifiers: ['Shift'] });
    await page.getByText('2 lines selected').waitFor();
    await page.getByRole('button', { name: 'Copy Markdown' }).click();
    await page.getByText('Copied 2 lines').waitFor();
    const markdown = await readClipboard(page);
    const divider = `──── deploy web 2026-12-07.3 by alice at ${new Date(posted.body.startedAt).toISOString()} ────`;
    expect(markdown).toMatch(new RegExp(`\\| divider-test before-2\\n${divider}\\n[^\\n]+\\| divider-test after-1\\n`));
    const ids = await rows(page).evaluateAll((elements) => elements.map((element) => [element.textContent ?? '', element.getAttribute('data-line-id')!] as const));
    const idOf = (tag: string) => ids.find(([text]) => text.includes(tag))![1];
    const base = `${stack.hub.url}/?q=divider-test`;
    expect(markdown).toContain(`1. \\~`);
    expect(markdown).toContain(`<${base}#line=${encodeURIComponent(idOf('before-2'))}>`);
    expect(markdown).toContain(`<${base}#line=${encodeURIComponent(idOf('after-1'))}>`);
    expect(markdown).toContain(`- Live view: <${base}>`);

    // Saved as a capture: the hub keeps the deploy inside the lines' span, the page shows it, its Markdown has it.
    await page.getByRole('button', { name: 'Save capture' }).click();
    const captureForm = page.getByRole('form', { name: 'Save capture' });
    await captureForm.getByLabel('Capture title').fill('Across the deploy');
    await captureForm.getByRole('button', { name: 'Save 2 lines' }).click();
    const link = page.getByRole('status', { name: 'Capture saved' }).getByRole('link');
    await link.waitFor();
    const permalink = (await link.getAttribute('href'))!;
    const reader = await browser.newPage(stack.hub.url);
    await reader.goto(permalink);
    await reader.getByRole('heading', { name: 'Across the deploy' }).waitFor();
    expect(await reader.locator('.capture__lines tbody tr').evaluateAll((trs) => trs.map((tr) => tr.className))).toEqual(['capture-line', 'capture-deploy', 'capture-line']);
    expect(await reader.locator('tr.capture-deploy').textContent()).toBe(divider);
    await reader.getByRole('button', { name: 'Copy as Markdown' }).click();
    await reader.getByText('Copied as Markdown').waitFor();
    const captured = await readClipboard(reader);
    expect(captured).toMatch(new RegExp(`\\| divider-test before-2\\n${divider}\\n[^\\n]+\\| divider-test after-1\\n`));
    expect(captured).toContain(`- Capture: <${permalink}>`);
    expect(captured).toContain(`<${permalink}#L2>`);

    // History results (newest first) have the divider among the lines too.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Live ▾' }).click();
    await page.getByRole('button', { name: 'Last 15 min' }).click();
    const results = page.getByRole('listbox', { name: 'History results for divider-test' });
    await results.waitFor();
    await page.locator('.results__progress', { hasText: '4 matches' }).waitFor({ timeout: 30_000 });
    expect(await streamOrder(page, '.results .stream__item')).toEqual([...expected].reverse());
  });

  it('shows the divider after a reload at phone width', async () => {
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.hub.url}/?q=phone-test`);
    await waitUntilLive(page);
    await stack.append(['phone-test before-1 GET /checkout status=200']);
    await rows(page, 'before-1').waitFor();
    expect((await api(stack.hub.url, 'POST', '/api/deploys', { json: { label: 'web 2026-12-07.4 with a long label that must not overflow', by: 'alice' } })).status).toBe(201);
    await stack.append(['phone-test after-1 GET /checkout status=502']);
    await rows(page, 'after-1').waitFor();
    await page.reload();
    await waitUntilLive(page);
    await rows(page, 'after-1').waitFor();
    const divider = page.locator('.marker-row--deploy');
    await divider.waitFor();
    expect(await streamOrder(page)).toEqual(['before-1', 'web 2026-12-07.4', 'after-1']);
    // The divider stays within the screen's width.
    const box = (await divider.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(RESULTS_DIR, 'deploy-divider-after-reload-390x844.png') });
  });
});
