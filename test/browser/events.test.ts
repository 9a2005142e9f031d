import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BREAK } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { startTestHub, TestAgent, type TestHub } from '../helpers/hub-harness.js';
import { RESULTS_DIR, useBrowser } from './helpers/browser.js';
import { pane, readClipboard, rows, waitUntilLive } from './helpers/ui.js';

/** A container log in the kubelet's layout: its rows show `shop/checkout-7d9f8b6c4-x2x9q/app`. */
const POD_FILE = '/var/log/pods/shop_checkout-7d9f8b6c4-x2x9q_5f0e1c2a-8b7d-4c3e-9a1f-2d3c4b5a6e7f/app/0.log';
const PLAIN_FILE = '/var/log/app.log';
const HEAD = '2026-12-07T10:00:00.000Z stderr ERROR request failed: java.lang.NullPointerException: cart is null';
const FRAMES = [
  '\tat com.shop.Cart.total(Cart.java:42)',
  '\tat com.shop.Checkout.run(Checkout.java:17)',
  'Caused by: java.lang.IllegalStateException: wrapped NullPointerException',
  '\t... 2 more',
];

/** Issue 21: an event (a Java stack trace joined by the agent) in the UI, and a container log's pod labels. */
describe('multi-line events and pod labels', () => {
  const browser = useBrowser();
  let hub: TestHub;
  let agent: TestAgent;

  beforeAll(async () => {
    hub = await startTestHub();
    ({ agent } = await TestAgent.connect(hub, 'node-1'));
    await mkdir(RESULTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    agent?.close();
    await hub?.close();
  });

  /** The event's row in pane 1. */
  const eventRow = (page: Page) => rows(pane(page, 1), 'cart is null');

  it('shows an event as its head and "+N lines", expands it on click and on e, and copies and saves it whole', async () => {
    // The agent's wire form: the event's inner line breaks are NUL bytes (protocol/shared/event-text.ts).
    await agent.send(POD_FILE, ['2026-12-07T09:59:59.000Z stdout INFO NullPointerException checks on', [HEAD, ...FRAMES].join(EVENT_BREAK)]);
    await agent.send(PLAIN_FILE, ['2026-12-07T10:00:01.000Z WARN NullPointerException in a plain file']);

    const page = await browser.newPage(hub.url);
    await page.goto(`${hub.url}/?q=NullPointerException`);
    await waitUntilLive(page);
    const row = eventRow(page);
    await row.waitFor();
    await rows(pane(page, 1), 'in a plain file').waitFor();

    // Collapsed: the head only, "+4 lines", marked as holding a match (the "Caused by" line).
    const toggle = row.locator('[data-action="event"]');
    expect(await toggle.textContent()).toBe('+4 lines');
    expect(await toggle.getAttribute('data-match')).toBe('true');
    expect(await row.locator('.log-row__text').textContent()).toBe(HEAD);
    expect(await row.locator('mark').allTextContents()).toEqual(['NullPointerException']);
    // Pod labels instead of the long path, the path on hover; a plain file keeps its name.
    const source = row.locator('.log-row__file');
    expect(await source.textContent()).toBe('shop/checkout-7d9f8b6c4-x2x9q/app');
    expect(await source.getAttribute('title')).toContain(POD_FILE);
    expect(await rows(pane(page, 1), 'in a plain file').locator('.log-row__file').textContent()).toBe('app.log');
    await page.screenshot({ path: join(RESULTS_DIR, 'event-collapsed-1280x720.png') });

    // Expanded by a click on "+4 lines" (which does not select the row): every line, both matches
    // highlighted on the lines they fall on, and the virtualizer gives the row its measured height.
    await toggle.click();
    await row.locator('[data-action="event"][data-pressed="true"]').waitFor();
    expect(await row.locator('.log-row__text').textContent()).toBe([HEAD, ...FRAMES].join('\n'));
    expect(await row.locator('mark').allTextContents()).toEqual(['NullPointerException', 'NullPointerException']);
    expect(await row.getAttribute('aria-selected')).toBe('false');
    await expectRowsApart(page);
    await page.screenshot({ path: join(RESULTS_DIR, 'event-expanded-1280x720.png') });

    // Collapsed again by a click; then the row cursor's `e` opens it.
    await toggle.click();
    await row.locator('[data-action="event"][data-pressed="false"]').waitFor();
    expect(await row.locator('.log-row__text').textContent()).toBe(HEAD);
    await row.locator('.log-row__text').click();
    await page.getByText('1 line selected').waitFor();
    await pane(page, 1).getByRole('listbox').focus();
    await page.keyboard.press('e');
    await row.locator('[data-action="event"][data-pressed="true"]').waitFor();
    await expectRowsApart(page);

    // Copy Markdown of the selected event: the head, then each frame on a line of its own.
    await page.getByRole('button', { name: 'Copy Markdown' }).click();
    await page.getByText('Copied 1 line').waitFor();
    const markdown = await readClipboard(page);
    expectEventBlock(markdown);

    // A capture of it keeps the whole event too.
    await page.getByRole('button', { name: 'Save capture' }).click();
    const form = page.getByRole('form', { name: 'Save capture' });
    await form.getByLabel('Capture title').fill('Checkout NPE');
    await form.getByRole('button', { name: 'Save 1 line' }).click();
    const link = await page.getByRole('status', { name: 'Capture saved' }).getByRole('link').getAttribute('href');
    const saved = await api(hub.url, 'GET', `${new URL(link!).pathname.replace('/captures/', '/api/captures/')}.md`);
    expect(saved.status).toBe(200);
    expectEventBlock(saved.text);
    const reader = await browser.newPage(hub.url);
    await reader.goto(link!);
    await reader.locator('.capture-line__text', { hasText: 'Cart.java:42' }).waitFor();
    expect(await reader.locator('.capture-line__text').first().textContent()).toBe([HEAD, ...FRAMES].join('\n'));
    await reader.screenshot({ path: join(RESULTS_DIR, 'event-capture-1280x720.png') });
  });

  it('scopes a pane by namespace in the filter form and the URL, and lays events out on a phone', async () => {
    const page = await browser.newPage(hub.url, { viewport: { width: 375, height: 740 } });
    await page.goto(`${hub.url}/?q=NullPointerException`);
    await waitUntilLive(page);
    await eventRow(page).waitFor();
    // Rows wrap on a phone; an event still shows only its head until opened.
    expect(await eventRow(page).locator('.log-row__text').textContent()).toBe(HEAD);
    expect(await eventRow(page).locator('.log-row__file').isVisible()).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'event-collapsed-375x740.png') });
    await eventRow(page).locator('[data-action="event"]').click();
    await eventRow(page).locator('[data-action="event"][data-pressed="true"]').waitFor();
    await expectRowsApart(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(RESULTS_DIR, 'event-expanded-375x740.png') });

    // The namespace picker offers what the container logs' paths say; picking one goes into the URL.
    await page.getByRole('button', { name: /^Options/ }).click();
    await page.getByRole('button', { name: 'All namespaces' }).click();
    await page.getByRole('checkbox', { name: /shop/ }).check();
    await page.waitForURL(/[?&]ns=shop(&|$)/);
    await page.getByRole('button', { name: 'shop', exact: true }).waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'pod-filter-375x740.png') });
  });
});

/**
 * The opened event's row is as tall as its five lines, and the rows on screen do not overlap: the
 * virtualizer measured it at its real height.
 */
async function expectRowsApart(page: Page): Promise<void> {
  const eventItem = page.locator('.stream__item', { has: page.locator('[data-action="event"][data-pressed="true"]') });
  expect((await eventItem.boundingBox())!.height).toBeGreaterThanOrEqual(5 * 20);
  const boxes = await page.locator('.stream__item').evaluateAll((items) =>
    items.map((item) => item.getBoundingClientRect()).map((box) => ({ top: box.top, bottom: box.bottom })).sort((a, b) => a.top - b.top),
  );
  expect(boxes.length).toBeGreaterThan(1);
  for (let index = 1; index < boxes.length; index += 1) expect(boxes[index]!.top).toBeGreaterThanOrEqual(boxes[index - 1]!.bottom - 0.5);
}

/** The Markdown holds the event's head, then each frame on a line of its own in the column of the head's text. */
function expectEventBlock(markdown: string): void {
  const lines = markdown.split('\n');
  const at = lines.findIndex((line) => line.endsWith(`${POD_FILE} | ${HEAD}`));
  expect(at).toBeGreaterThanOrEqual(0);
  const column = lines[at]!.indexOf(' | ') + 1;
  expect(lines.slice(at + 1, at + 1 + FRAMES.length)).toEqual(FRAMES.map((frame) => `${' '.repeat(column)}| ${frame}`));
}
