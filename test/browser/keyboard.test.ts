import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { pane, readClipboard, rows, waitUntilLive } from './helpers/ui.js';

const require = createRequire(import.meta.url);

/** Issue 22, "Keyboard first": the row cursor and its keys, the help sheet, tab order, focus, and axe-core. */
describe('keyboard and accessibility', () => {
  const browser = useBrowser();
  const stack = useStack();

  /** What has focus: a short description for failure messages and order checks. */
  function focused(page: Page) {
    return page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return { what: 'body', inPins: false, inPane: false, outline: 'none' };
      return {
        what: `${element.tagName.toLowerCase()}[${element.getAttribute('aria-label') ?? element.getAttribute('role') ?? element.textContent?.trim().slice(0, 24)}]`,
        inPins: element.closest('nav[aria-label="Pins"]') !== null,
        inPane: element.closest('section.pane') !== null,
        outline: getComputedStyle(element).outlineStyle,
      };
    });
  }

  it('moves a row cursor with j/k and the arrows, opens context, selects, copies, saves, jumps, and lists every shortcut', async () => {
    const pin = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'orders', query: 'order' } });
    expect(pin.status).toBe(201);
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=order`);
    await waitUntilLive(page);
    await page.getByRole('navigation', { name: 'Pins' }).locator('.pin-chip', { hasText: 'orders' }).waitFor();
    await stack.append(Array.from({ length: 40 }, (_, index) => `2026-11-27T09:00:${String(index).padStart(2, '0')}.000Z INFO [checkout] order ${index} placed`));
    await rows(page, 'order 39 placed').waitFor();

    // Tab order: the filter first, then the stream, then the pins; focus is always visible.
    const order: { what: string; inPins: boolean; inPane: boolean; outline: string }[] = [];
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      order.push(now);
      if (now.inPins) break;
    }
    const trail = order.map((entry) => entry.what).join(' → ');
    expect(order[0]!.what, trail).toBe('input[Filter pattern]');
    const list = order.findIndex((entry) => entry.what.startsWith('div[Matches for'));
    const pins = order.findIndex((entry) => entry.inPins);
    expect(list, trail).toBeGreaterThan(0);
    expect(pins, trail).toBeGreaterThan(list);
    expect(order.slice(0, list).every((entry) => entry.inPane), trail).toBe(true);
    for (const entry of order) expect(entry.outline, `${entry.what} shows no focus outline`).not.toBe('none');

    // The cursor: k from nothing starts at the newest line and pauses, as selecting does.
    const list$ = pane(page, 1).getByRole('listbox');
    await list$.focus();
    await page.keyboard.press('k');
    expect(await page.locator('.log-row--cursor').count()).toBe(1);
    expect(await page.locator('.log-row--cursor').textContent()).toContain('order 39 placed');
    expect(await pane(page, 1).locator('.stream-status').textContent()).toContain('Paused (keyboard cursor)');
    expect(await list$.getAttribute('aria-activedescendant')).toBe(await page.locator('.log-row--cursor').getAttribute('id'));
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowUp');
    expect(await page.locator('.log-row--cursor').textContent()).toContain('order 37 placed');
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('k');
    expect(await page.locator('.log-row--cursor').textContent()).toContain('order 38 placed');

    // Enter opens the context of the cursor's line; Esc closes it.
    await page.keyboard.press('Enter');
    const context = page.getByRole('complementary', { name: 'Line context' });
    await context.locator('[aria-current="true"]', { hasText: 'order 38 placed' }).waitFor();
    await page.keyboard.press('Escape');
    await context.waitFor({ state: 'detached' });

    // x marks where a range starts, x again selects to the cursor; c copies it as Markdown.
    await page.keyboard.press('x');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await page.keyboard.press('x');
    await page.getByText('3 lines selected').waitFor();
    await page.keyboard.press('c');
    await page.getByText('Copied 3 lines').waitFor();
    expect(await readClipboard(page)).toMatch(/```[a-z]*\n.*order 36 placed\n.*order 37 placed\n.*order 38 placed\n```/);
    // s opens "Save capture" for them.
    await page.keyboard.press('s');
    const captureForm = page.getByRole('form', { name: 'Save capture' });
    await captureForm.waitFor();
    // Esc in the form closes the form; Esc again clears the selection.
    await page.keyboard.press('Escape');
    await captureForm.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.getByText('3 lines selected').waitFor({ state: 'detached' });

    // g: the oldest line; G: the newest, following live again.
    await list$.focus();
    await page.keyboard.press('g');
    expect(await page.locator('.log-row--cursor').textContent()).toContain('order 0 placed');
    await page.keyboard.press('G');
    await pane(page, 1).locator('.stream-status__live').waitFor();
    expect(await page.locator('.log-row--cursor').count()).toBe(0);
    await stack.append(['2026-11-27T09:01:00.000Z INFO [checkout] order 40 placed']);
    await rows(page, 'order 40 placed').waitFor();

    // ? lists every shortcut, in a dialog that Esc closes.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    const keys = await help.locator('kbd').allTextContents();
    for (const key of ['/', 'j', 'k', '↓', '↑', 'Enter', 'x', 'Shift+click', 'o', 'p', 'c', 's', 'g', 'G', 'Space', 'Esc', '?']) expect(keys).toContain(key);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('has no serious or critical axe-core violations on the main view, with pins, context, the help sheet, the dark theme and the phone layout', async () => {
    const axe = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=order`);
    await waitUntilLive(page);
    await stack.append(['2026-11-27T09:02:00.000Z ERROR [checkout] order 41 failed status=502 {"retry":true}']);
    await rows(page, 'order 41 failed').waitFor();

    // The hub's Content-Security-Policy (script-src 'self') refuses an inline <script>, which is what
    // page.addScriptTag({ content }) adds; evaluating the source runs it in the page all the same.
    await page.evaluate(axe);
    const check = async (state: string) => {
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe.run(document, {
          resultTypes: ['violations'],
        });
        return result.violations
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => JSON.stringify(node.target)).slice(0, 5).join(', ')}`);
      });
      expect(violations, `${state}:\n${violations.join('\n')}`).toEqual([]);
    };

    await check('main view');
    await rows(page, 'order 41 failed').click();
    await page.getByRole('complementary', { name: 'Line context' }).locator('[aria-current="true"]').waitFor();
    await check('main view with context and a selection');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await check('help sheet');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });

    // The dark theme, and the phone layout with its folded header.
    await page.emulateMedia({ colorScheme: 'dark' });
    await check('main view, dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: /^Pins \(\d+\)/ }).click();
    await page.getByRole('button', { name: /^Options/ }).click();
    await check('phone, dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await check('phone, light');
  });
});
