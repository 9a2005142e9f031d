import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Pin } from '../../protocol/index.js';
import { buildNotification } from '../../server/alerts/alert-message.js';
import { api } from '../helpers/http-api.js';
import { RESULTS_DIR, useBrowser } from './helpers/browser.js';
import { lineTimes } from './helpers/line-times.js';
import { useStack } from './helpers/stack.js';
import { pane, rows, waitUntilLive } from './helpers/ui.js';

describe('the links of an alert message', () => {
  const browser = useBrowser();
  const stack = useStack();

  it('the chart link opens the pin’s chart over its window; the lines link, the lines of its range', async () => {
    const created = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'alertlink errors', query: 'alertlink error' } });
    expect(created.status).toBe(201);
    const pin = created.body;
    // One line before the alert's minutes, then two in them: the hub has taken the first in before the others are written.
    await stack.append(['alertlink error early n=1']);
    await stack.takenIn('web-1');
    await expect.poll(async () => (await lineTimes(stack.hub.url, 'alertlink error')).length).toBe(1);
    await stack.append(['alertlink error during n=2', 'alertlink error during n=3']);
    await stack.takenIn('web-1');
    await expect.poll(async () => (await lineTimes(stack.hub.url, 'alertlink error')).length).toBe(3);
    const [early, ...during] = await lineTimes(stack.hub.url, 'alertlink error');
    const from = Math.min(...during.map((line) => line.ts));
    const to = Math.max(...during.map((line) => line.ts));
    expect(early!.ts).toBeLessThan(from);

    const { links } = buildNotification(
      { status: 'firing', rule: { kind: 'rate-above', perMinute: 1, forMinutes: 1 }, pin, minuteCounts: [2], from, to, at: to + 1 },
      stack.hub.url,
    );
    expect(links.chart).toBe(`${stack.hub.url}/?q=alertlink+error&p=${pin.id}&from=${from - 30 * 60_000}&to=${to}&chart=1`);
    expect(links.lines).toBe(`${stack.hub.url}/?q=alertlink+error&from=${from}&to=${to}`);
    await mkdir(RESULTS_DIR, { recursive: true });

    // The chart link: the pin's chart over the custom window (all three lines counted), the pin's pane on the range's lines.
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 800 } });
    await page.goto(links.chart);
    await waitUntilLive(page);
    const chart = page.getByRole('region', { name: `Chart of Pin ${pin.name}` });
    await chart.waitFor();
    await expect.poll(async () => chart.getByRole('status').textContent()).toMatch(/^3 matches in \d+ bars of /);
    expect(await chart.getByRole('button', { name: 'Custom' }).getAttribute('aria-pressed')).toBe('true');
    const plot = chart.locator('.chart__plot');
    expect(Number(await plot.getAttribute('data-from'))).toBeLessThanOrEqual(from - 30 * 60_000);
    expect(Number(await plot.getAttribute('data-to'))).toBeGreaterThanOrEqual(to);
    await pane(page, 1).getByRole('group', { name: `Pin ${pin.name}` }).waitFor();
    // Only the page load reads the link's keys: the address bar keeps the view, not the range.
    expect(new URL(page.url()).searchParams.get('from')).toBeNull();
    await page.screenshot({ path: `${RESULTS_DIR}alert-link-chart.png` });

    // The lines link: the range's two lines from history, not the one before it.
    const linesPage = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 800 } });
    await linesPage.goto(links.lines);
    await waitUntilLive(linesPage);
    const results = pane(linesPage, 1).locator('.results');
    await results.getByText('2 matches', { exact: true }).waitFor();
    const shown = await rows(results).allTextContents();
    expect(shown).toHaveLength(2);
    expect(shown[0]).toContain('alertlink error during n=3');
    expect(shown[1]).toContain('alertlink error during n=2');
    expect(await linesPage.getByRole('region', { name: /^Chart of / }).count()).toBe(0);
    await linesPage.screenshot({ path: `${RESULTS_DIR}alert-link-lines.png` });
  });
});
