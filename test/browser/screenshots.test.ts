import { mkdir, readFile } from 'node:fs/promises';
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

  /**
   * Controls (buttons, fields, links, focusable regions) under `scope` that a user could not reach:
   * no size, past the viewport's left or right edge, or covered by something else once scrolled
   * into view. Rows of the stream are left out (they are checked by their own assertions).
   */
  async function unreachableControls(page: Page, scope = 'body'): Promise<string[]> {
    return page.evaluate((selector) => {
      const root = document.querySelector(selector);
      if (!root) return [`${selector} is not on the page`];
      const width = document.documentElement.clientWidth;
      const problems: string[] = [];
      const controls = [...root.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')].filter(
        (element) => !element.closest('[role="option"]') && element.checkVisibility({ visibilityProperty: true }),
      );
      for (const element of controls) {
        element.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const box = element.getBoundingClientRect();
        const name = element.getAttribute('aria-label') ?? (element.textContent?.trim().slice(0, 30) || element.tagName);
        if (box.width < 1 || box.height < 1) problems.push(`${name}: no size`);
        else if (box.left < -0.5 || box.right > width + 0.5) problems.push(`${name}: ${Math.round(box.left)}-${Math.round(box.right)} px, outside the ${width} px viewport`);
        else {
          const x = box.left + Math.min(box.width / 2, 8);
          const y = Math.min(box.top + box.height / 2, window.innerHeight - 1);
          const hit = document.elementFromPoint(x, y);
          if (!hit || !(hit === element || element.contains(hit) || hit.contains(element))) problems.push(`${name}: covered by ${hit ? `${hit.tagName}.${String(hit.className)}` : 'nothing'}`);
        }
      }
      return problems;
    }, scope);
  }

  /** The page does not scroll sideways: nothing is wider than the viewport. */
  async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
    return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  }

  async function openContext(page: Page, text: string): Promise<void> {
    await rows(page, text).first().click();
    await page.getByRole('complementary', { name: 'Line context' }).locator('[aria-current="true"]').waitFor();
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
    expect(await unreachableControls(page)).toEqual([]);

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${RESULTS_DIR}main-view-dark.png` });
    const dark = await layoutFacts(page);
    expect(dark.background).toBe('rgb(13, 17, 23)');
    expect(dark.markBackground).not.toBe(light.markBackground);
    expect(dark.scrollWidth).toBeLessThanOrEqual(1280);

    // The context of the sentinel, beside the panes.
    await openContext(page, 'screenshot sentinel');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${RESULTS_DIR}context-${scheme}.png` });
    }
    expect((await horizontalOverflow(page)).scrollWidth).toBeLessThanOrEqual(1280);
    // The panes are narrower beside it; their headers and pin strips still fit.
    expect(await unreachableControls(page)).toEqual([]);
    // The clicked pane is paused: its "back to live" pill sits below the rows, not over them.
    const pill = await pane(page, 1).locator('.stream__new-lines').boundingBox();
    const list = await pane(page, 1).locator('.stream__scroll').boundingBox();
    expect(pill!.y).toBeGreaterThanOrEqual(list!.y + list!.height - 0.5);
  });

  it('capture page, light and dark', async () => {
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
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${RESULTS_DIR}capture-page-dark.png` });
  });

  /*
   * Issue 22, "On call from a phone": at 390x844 one pane at a time, the filter options and the
   * pins folded into the header, context as a full-screen sheet, rows wrapped as time, host, line;
   * the capture page with each line's metadata above its text. Nothing scrolls sideways and every
   * control can be reached.
   */
  it('phone 390x844: main view, context and capture page, light and dark', async () => {
    const phone = { width: 390, height: 844 };
    const pin = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'checkout 5xx on the phone', query: 'checkout|status=5\\d\\d' } });
    expect(pin.status).toBe(201);
    const page = await browser.newPage(stack.hub.url, { viewport: phone, colorScheme: 'light' });
    const frames: string[] = [];
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.includes('phone sentinel')) frames.push(frame.payload.slice(0, 300));
      });
      socket.on('framesent', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.includes('subscribe')) frames.push(`sent ${frame.payload.slice(0, 200)}`);
      });
    });
    // Two panes in the URL: the phone shows the active one only.
    const query = new URLSearchParams({ q: 'status=5\\d\\d|ERROR', q2: 'checkout|status=5\\d\\d', p2: pin.body.id, active: '2' });
    await page.goto(`${stack.hub.url}/?${query}`);
    await waitUntilLive(page);
    // The hub has confirmed the pane's subscription before the lines are written.
    await page.locator('section.pane[data-subscription="active"]').waitFor();
    await writeDemoLines(60);
    // The sentinel must be the newest row, the one a live pane shows: web-2's lines arrive first.
    await stack.takenIn('web-2');
    await stack.append(['2026-11-27T09:00:01.000Z ERROR [checkout] charge failed: card_declined order_id=888888 (phone sentinel)'], 'web-1');
    await rows(page, 'phone sentinel')
      .waitFor()
      .catch(async (error: unknown) => {
        // Say what the pane showed instead: the status, and its last rows.
        const last = await page.locator('[role="option"]').evaluateAll((items) => items.slice(-3).map((item) => item.textContent));
        // And whether the hub had it: what the agents sent, against what web-1's file holds.
        const metrics = await fetch(`${stack.hub.url}/metrics`).then((response) => response.text(), () => '');
        const agentLines = metrics.split('\n').filter((line) => /^supergrep_agent_(rate_dropped_)?lines_total/.test(line));
        const fileLines = (await readFile(stack.logFile, 'utf8')).split('\n').length - 1;
        throw new Error(
          `${String(error)}\nstatus: ${await page.locator('.stream-status').textContent()}\nlast rows: ${last.join(' | ')}\n` +
            `web-1's file: ${fileLines} lines; hub: ${agentLines.join('; ')}\nframes: ${frames.join('\n')}`,
        );
      });

    expect(await page.locator('section.pane').count()).toBe(1);
    const facts = await page.evaluate(() => {
      const row = [...document.querySelectorAll<HTMLElement>('.log-row')].find((candidate) => candidate.textContent?.includes('phone sentinel'))!;
      const box = (selector: string) => row.querySelector(selector)!.getBoundingClientRect();
      const rowsPastEdge = [...document.querySelectorAll('.log-row')].filter((candidate) => candidate.getBoundingClientRect().right > window.innerWidth + 0.5).length;
      return { time: box('.log-row__time'), host: box('.log-row__host'), text: box('.log-row__text'), row: row.getBoundingClientRect(), rowsPastEdge };
    });
    // Time, then host on the first line; the line below them, wrapped within the row.
    expect(facts.time.left).toBeLessThan(facts.host.left);
    expect(Math.abs(facts.time.top - facts.host.top)).toBeLessThan(2);
    expect(facts.text.top).toBeGreaterThanOrEqual(facts.time.bottom - 1);
    expect(facts.text.right).toBeLessThanOrEqual(phone.width);
    expect(facts.rowsPastEdge).toBe(0);
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: phone.width, viewport: phone.width });
    expect(await unreachableControls(page)).toEqual([]);

    // Folded into the header: the pins and the filter's other fields, each a button away.
    const pins = page.getByRole('navigation', { name: 'Pins' });
    await pins.getByRole('button', { name: /^Pins \(\d+\)/ }).click();
    await pins.locator('.pin-chip', { hasText: 'checkout 5xx on the phone' }).waitFor();
    await page.getByRole('button', { name: /^Options/ }).click();
    await page.getByLabel('Exclude pattern').waitFor();
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: phone.width, viewport: phone.width });
    expect(await unreachableControls(page)).toEqual([]);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${RESULTS_DIR}phone-main-view-${scheme}.png` });
    }
    await pins.getByRole('button', { name: /^Pins \(\d+\)/ }).click();
    await page.getByRole('button', { name: /^Options/ }).click();

    // Context: a sheet over the whole screen, its heading clear of its buttons.
    await page.emulateMedia({ colorScheme: 'light' });
    await openContext(page, 'phone sentinel');
    const sheet = await page.getByRole('complementary', { name: 'Line context' }).boundingBox();
    expect(sheet).toEqual({ x: 0, y: 0, width: phone.width, height: phone.height });
    const heading = await page.locator('.context-panel__title').boundingBox();
    const copyLink = await page.getByRole('button', { name: 'Copy link' }).boundingBox();
    expect(heading!.x + heading!.width).toBeLessThanOrEqual(copyLink!.x);
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: phone.width, viewport: phone.width });
    expect(await unreachableControls(page, '.context-panel')).toEqual([]);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${RESULTS_DIR}phone-context-${scheme}.png` });
    }
    await page.getByRole('button', { name: 'Close context' }).click();

    // The capture page: each line's time, host and file above its text, which has the whole width.
    const lines = generators[1]!.appLines(new Date()).concat(Array.from({ length: 8 }, () => generators[1]!.accessLine(new Date())));
    const created = await api<CaptureCreated>(stack.hub.url, 'POST', '/api/captures', {
      json: {
        title: 'Checkout 5xx seen from a phone',
        filter: { query: 'status=5\\d\\d|ERROR' },
        lines: lines.map((line, index) => ({ host: 'web-2', file: '/var/log/nginx/access.log', ts: Date.now() - (lines.length - index) * 250, line })),
      },
    });
    expect(created.status).toBe(201);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${stack.hub.url}${created.body.url}`);
    await page.getByRole('heading', { name: 'Checkout 5xx seen from a phone' }).waitFor();
    const captured = await page.locator('tr.capture-line').evaluateAll((items) =>
      items.map((item) => {
        const time = item.querySelector('.capture-line__time')!.getBoundingClientRect();
        const text = item.querySelector('.capture-line__text')!.getBoundingClientRect();
        return { timeBottom: time.bottom, textTop: text.top, textWidth: text.width, height: item.getBoundingClientRect().height };
      }),
    );
    expect(captured).toHaveLength(lines.length);
    for (const line of captured) {
      expect(line.textTop).toBeGreaterThanOrEqual(line.timeBottom - 1);
      expect(line.textWidth).toBeGreaterThan(phone.width * 0.8);
      expect(line.height).toBeLessThan(200);
    }
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: phone.width, viewport: phone.width });
    expect(await unreachableControls(page)).toEqual([]);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${RESULTS_DIR}phone-capture-page-${scheme}.png` });
    }
  });
});
