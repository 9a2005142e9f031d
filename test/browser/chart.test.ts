import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Deploy, Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { RESULTS_DIR, useBrowser } from './helpers/browser.js';
import { lineTimes } from './helpers/line-times.js';
import { useStack } from './helpers/stack.js';
import { pane, rows, setFilter, waitUntilLive } from './helpers/ui.js';

const BUCKET_MS = 10_000;
/** A `datetime-local` value in UTC, the time zone the pages run in. */
const localInput = (ts: number) => new Date(ts).toISOString().slice(0, 19);
const clock = (ts: number) => new Date(ts).toISOString().slice(11, 19);


const require = createRequire(import.meta.url);

/** Serious or critical axe-core findings inside the chart (the CSP refuses an inline script: the source is evaluated instead). */
async function chartViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    type Axe = { run(context: Element, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> };
    const result = await (window as unknown as { axe: Axe }).axe.run(document.querySelector('section.chart')!, { resultTypes: ['violations'] });
    return result.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} at ${JSON.stringify(violation.nodes[0]?.target)}`);
  });
}

/** Where on the page time `ts` lies on the plot's axis (from the range the plot says it draws). */
async function plotX(page: Page, ts: number): Promise<{ x: number; y: number }> {
  const plot = page.locator('.chart__plot');
  const from = Number(await plot.getAttribute('data-from'));
  const to = Number(await plot.getAttribute('data-to'));
  const box = (await plot.locator('.u-over').boundingBox())!;
  return { x: box.x + ((ts - from) / (to - from)) * box.width, y: box.y + box.height - 4 };
}

describe('the rate chart', () => {
  const browser = useBrowser();
  const stack = useStack();

  const layouts = [
    { name: 'desktop', viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const },
    { name: 'phone', viewport: { width: 390, height: 844 }, colorScheme: 'dark' as const },
  ];

  it.each(layouts)('charts a pin with its deploy drawn, and a click on a bar opens its lines from history ($name)', async ({ name, viewport, colorScheme }) => {
    const tag = `chart${name}`;
    const created = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: `${tag} errors`, query: `${tag} error` } });
    expect(created.status).toBe(201);
    const pin = created.body;
    await stack.append([`${tag} error n=1`, `${tag} error n=2`, `${tag} error n=3`, `${tag} fine n=4`]);
    await stack.takenIn('web-1');
    const deployed = await api<Deploy>(stack.hub.url, 'POST', '/api/deploys', { json: { label: `${tag} v7`, startedAt: Date.now() - 60_000 } });
    expect(deployed.status).toBe(201);
    const deploy = deployed.body;

    // The bar of the first line, and the lines in it (a bucket boundary may fall between the lines).
    const lines = await lineTimes(stack.hub.url, `${tag} error`);
    expect(lines).toHaveLength(3);
    const bar = Math.floor(lines[0]!.ts / BUCKET_MS) * BUCKET_MS;
    const inBar = lines.filter((line) => line.ts >= bar && line.ts < bar + BUCKET_MS).map((line) => line.text);

    const page = await browser.newPage(stack.hub.url, { viewport, colorScheme });
    await page.goto(stack.hub.url);
    await waitUntilLive(page);
    const pins = page.getByRole('navigation', { name: 'Pins' });
    if (name === 'phone') await pins.getByRole('button', { name: /^Pins \(/ }).click();
    await pins.getByRole('button', { name: `Chart of pin ${pin.name}` }).click();

    const chart = page.getByRole('region', { name: `Chart of Pin ${pin.name}` });
    await chart.waitFor();
    // The last hour, the deploy a minute before the end: its label on the plot, where its time is.
    const label = chart.locator(`.chart__deploy[data-deploy-id="${deploy.id}"]`);
    await label.waitFor();
    expect(await label.textContent()).toBe(`${tag} v7`);
    await expect.poll(async () => chart.getByRole('status').textContent()).toMatch(/^[1-9]\d* matches in \d+ bars of 10 s\./);
    const drawnAt = await plotX(page, deploy.startedAt);
    const labelBox = (await label.boundingBox())!;
    // The label hangs left of its line near the right edge: its right side is at the line.
    expect(Math.abs(labelBox.x + labelBox.width - drawnAt.x)).toBeLessThan(12);

    // A custom window of three minutes around the lines: wide bars, and no refresh moving them.
    await chart.getByRole('button', { name: 'Custom' }).click();
    const form = chart.getByRole('form', { name: 'Custom chart window' });
    await form.getByLabel('From').fill(localInput(bar - 2 * 60_000));
    await form.getByLabel('To').fill(localInput(bar + 60_000));
    await form.getByRole('button', { name: 'Show' }).click();
    await expect.poll(async () => chart.getByRole('status').textContent()).toMatch(new RegExp(`^3 matches in 18 bars of 10 s\\.`));
    await label.waitFor();
    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}chart-${name}-${colorScheme}.png` });
    expect(await chartViolations(page)).toEqual([]);

    // Hover shows the bar's time and count in the legend; a click opens its lines.
    const target = await plotX(page, bar + BUCKET_MS / 2);
    await page.mouse.move(target.x, target.y);
    await expect.poll(async () => chart.locator('.u-legend').textContent()).toContain(`${clock(bar)} – ${clock(bar + BUCKET_MS)}`);
    expect(await chart.locator('.u-legend').textContent()).toContain(`Matches${inBar.length}`);
    await page.mouse.click(target.x, target.y);

    const results = page.locator('.results');
    await results.getByText(`Chart: ${clock(bar)} – ${clock(bar + BUCKET_MS)}`).waitFor();
    await results.getByText(`${inBar.length} ${inBar.length === 1 ? 'match' : 'matches'}`, { exact: true }).waitFor();
    const shown = await rows(results).allTextContents();
    expect(shown).toHaveLength(inBar.length);
    inBar.forEach((text, index) => expect(shown[index]).toContain(text));
    // The pin's pane shows them: the chart opened the pin.
    await page.locator(`section.pane`).filter({ has: page.getByRole('group', { name: `Pin ${pin.name}` }) }).waitFor();
    if (name === 'phone') expect(await chart.count()).toBe(0);
    await page.screenshot({ path: `${RESULTS_DIR}chart-${name}-${colorScheme}-lines.png` });
  });

  it('charts the current filter from history, and a drag across bars opens their lines', async () => {
    await stack.append(['chartquery timeout n=1', 'chartquery timeout n=2', 'chartquery ok n=3']);
    await stack.takenIn('web-1');
    const lines = await lineTimes(stack.hub.url, 'chartquery timeout');
    expect(lines).toHaveLength(2);
    const page = await browser.newPage(stack.hub.url, { viewport: { width: 1280, height: 800 } });
    await page.goto(stack.hub.url);
    await waitUntilLive(page);
    await setFilter(page, 'chartquery timeout');
    await rows(pane(page, 1), 'chartquery timeout n=2').waitFor();
    await pane(page, 1).getByRole('button', { name: 'Chart', exact: true }).click();
    const chart = page.getByRole('region', { name: 'Chart of chartquery timeout' });
    // The last hour from the history histogram: both lines counted.
    await expect.poll(async () => chart.getByRole('status').textContent()).toMatch(/^2 matches in \d+ bars of 10 s\./);

    // Drag from a minute before the lines to a minute after: the whole bars in between.
    await chart.getByRole('button', { name: '15 m' }).click();
    await expect.poll(async () => chart.getByRole('status').textContent()).toMatch(/^2 matches in 9\d bars of 10 s\./);
    const start = await plotX(page, lines[0]!.ts - 60_000);
    const end = await plotX(page, Math.min(lines[1]!.ts + 60_000, Number(await page.locator('.chart__plot').getAttribute('data-to')) - 1));
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, start.y, { steps: 4 });
    await page.mouse.move(end.x, end.y, { steps: 4 });
    await page.mouse.up();
    const results = pane(page, 1).locator('.results');
    await results.getByText(/^Chart: \d\d:\d\d:\d0 – \d\d:\d\d:\d0$/).waitFor();
    await results.getByText('2 matches', { exact: true }).waitFor();
    const shown = await rows(results).allTextContents();
    expect(shown).toHaveLength(2);
    expect(shown[0]).toContain('chartquery timeout n=1');
    expect(shown[1]).toContain('chartquery timeout n=2');
  });
});
