import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogGenerator } from '../../lib/log-generator.js';
import type { CaptureCreated, Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { RESULTS_DIR, useBrowser } from './helpers/browser.js';
import { startStack, type Stack } from './helpers/stack.js';
import { pane, rows, waitUntilLive } from './helpers/ui.js';

const HOSTS = ['web-1', 'web-2'];

/**
 * The main view at 1280x720 with a demo-like stream, in the light and the dark theme, saved to
 * test-results/browser/ for a person to look at; the layout rules a screenshot cannot check by
 * itself (nothing overflows, rows are one line tall, the theme switches) are asserted.
 */
describe('layout screenshots', () => {
  const browser = useBrowser();
  let stack: Stack;
  const generators = HOSTS.map((host, index) => new LogGenerator(host, index + 11, 0.06));

  beforeAll(async () => {
    stack = await startStack({ hosts: HOSTS });
    await mkdir(RESULTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** About `count` generated lines per host: access and application lines, errors with stack traces, JSON, ANSI colours. */
  async function writeDemoLines(count: number): Promise<void> {
    await Promise.all(
      HOSTS.map(async (host, index) => {
        const generator = generators[index]!;
        const lines: string[] = [];
        const start = Date.now() - count * 50;
        for (let n = 0; lines.length < count; n += 1) {
          const now = new Date(start + n * 50);
          if (n % 3 === 0) lines.push(...generator.appLines(now));
          else lines.push(generator.accessLine(now));
        }
        await stack.append(lines, host);
      }),
    );
  }

  async function layoutFacts(page: Page) {
    return page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect();
      const rowHeights = [...document.querySelectorAll('.stream__item--fixed')].slice(0, 50).map((row) => row.getBoundingClientRect().height);
      const mark = document.querySelector('.log-row mark');
      return {
        scrollWidth: document.documentElement.scrollWidth,
        scrollHeight: document.documentElement.scrollHeight,
        topbar: box('.topbar')?.height ?? 0,
        pinsBar: box('.pins-bar')?.height ?? 0,
        streams: [...document.querySelectorAll('.stream__scroll')].map((element) => element.getBoundingClientRect().height),
        rowHeights,
        background: getComputedStyle(document.body).backgroundColor,
        markBackground: mark ? getComputedStyle(mark).backgroundColor : undefined,
      };
    });
  }

  it('main view, light and dark', async () => {
    const created = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'errors & 5xx', query: 'status=5\\d\\d|ERROR' } });
    expect(created.status).toBe(201);
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
    const query = new URLSearchParams({ q: 'status=5\\d\\d|ERROR', p: created.body.id, q2: 'checkout|payments', i2: '1', x2: 'healthcheck' });
    await page.goto(`${stack.hub.url}/?${query}`);
    await waitUntilLive(page);

    await writeDemoLines(160);
    // The deploy comes after these lines have reached the page, as it would after a quiet minute.
    await stack.append(['2026-11-27T08:59:59.000Z ERROR [checkout] upstream timeout after 3000ms service=images (before the deploy)'], 'web-2');
    await rows(pane(page, 1), 'before the deploy').waitFor();
    const deploy = await api(stack.hub.url, 'POST', '/api/deploys', { json: { label: 'web 2026-11-27.3', by: 'alice', url: 'https://ci.example/runs/4242' } });
    expect(deploy.status).toBe(201);
    await pane(page, 1).locator('.marker-row--deploy').waitFor();
    await pane(page, 2).locator('.marker-row--deploy').waitFor();
    // Few enough after the deploy that its divider is still in view in both panes.
    await writeDemoLines(30);
    await stack.append(['2026-11-27T09:00:00.000Z ERROR [checkout] charge failed: card_declined order_id=777777 (screenshot sentinel)'], 'web-2');
    await rows(pane(page, 1), 'screenshot sentinel').waitFor();
    await rows(pane(page, 2), 'screenshot sentinel').waitFor();
    // The pin's graph has a complete bucket with matches (at most every 10 s + one refresh).
    const sparkline = page.getByRole('navigation', { name: 'Pins' }).locator('svg.sparkline');
    await expect.poll(async () => sparkline.getAttribute('aria-label'), { timeout: 35_000, interval: 500 }).toMatch(/at most [1-9]\d* per 10 s/);

    for (const number of [1, 2]) {
      const scroller = await pane(page, number).locator('.stream__scroll').boundingBox();
      const divider = await pane(page, number).locator('.marker-row--deploy').boundingBox();
      expect(divider!.y).toBeGreaterThanOrEqual(scroller!.y);
      expect(divider!.y + divider!.height).toBeLessThanOrEqual(scroller!.y + scroller!.height);
    }
    await page.screenshot({ path: `${RESULTS_DIR}main-view-light.png` });
    const light = await layoutFacts(page);
    expect(light.scrollWidth).toBeLessThanOrEqual(1280);
    expect(light.scrollHeight).toBeLessThanOrEqual(720);
    expect(light.topbar).toBeLessThan(48);
    expect(light.pinsBar).toBeLessThan(40);
    expect(light.streams).toHaveLength(2);
    for (const height of light.streams) expect(height).toBeGreaterThan(400);
    expect(new Set(light.rowHeights)).toEqual(new Set([20]));
    expect(light.background).toBe('rgb(255, 255, 255)');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${RESULTS_DIR}main-view-dark.png` });
    const dark = await layoutFacts(page);
    expect(dark.background).toBe('rgb(13, 17, 23)');
    expect(dark.markBackground).not.toBe(light.markBackground);
    expect(dark.scrollWidth).toBeLessThanOrEqual(1280);
  });

  it('capture page, light', async () => {
    const lines = generators[0]!.appLines(new Date()).concat(Array.from({ length: 12 }, () => generators[0]!.accessLine(new Date())));
    const created = await api<CaptureCreated>(stack.hub.url, 'POST', '/api/captures', {
      json: {
        title: 'Checkout 5xx after web 2026-11-27.3',
        filter: { query: 'status=5\\d\\d|ERROR', exclude: 'healthcheck' },
        lines: lines.map((line, index) => ({ host: 'web-1', file: '/var/log/app/app.log', ts: Date.now() - (lines.length - index) * 250, line })),
      },
    });
    expect(created.status).toBe(201);
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 720 } });
    await page.goto(`${stack.hub.url}${created.body.url}`);
    await page.getByRole('heading', { name: 'Checkout 5xx after web 2026-11-27.3' }).waitFor();
    expect(await page.locator('tr.capture-line').count()).toBe(lines.length);
    await page.screenshot({ path: `${RESULTS_DIR}capture-page-light.png` });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  });
});
