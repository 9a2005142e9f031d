import { describe, expect, it } from 'vitest';
import type { Deploy, Pin } from '../../protocol/index.js';
import { CliProcess } from '../helpers/cli-process.js';
import { api } from '../helpers/http-api.js';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { pane, readClipboard, rows, setFilter, waitUntilLive } from './helpers/ui.js';

/** The UI of issue 4, "Deploys and post-mortems", against a real hub and agent. */
describe('pins, deploy markers and captures', () => {
  const browser = useBrowser();
  const stack = useStack();

  /** `supergrep deploy`, as a CI step runs it; returns the deploy the hub recorded. */
  async function postDeploy(label: string): Promise<Deploy> {
    const cli = new CliProcess(['deploy', '--hub', stack.hub.url, '--by', 'ci', '--url', 'https://ci.example/runs/42', label]);
    const { code } = await cli.exited;
    expect(code, cli.output()).toBe(0);
    return JSON.parse(cli.stdoutLines.join('')) as Deploy;
  }

  it('pins a filter, marks a deploy on its graph and in the stream, and saves a capture whose permalink shows the lines', async () => {
    const page = await browser.newPage(stack.hub.url);
    await page.goto(stack.hub.url);
    await waitUntilLive(page);
    const bar = page.getByRole('navigation', { name: 'Pins' });
    await bar.getByText(/No pins yet/).waitFor();

    // Pin this filter: a name asked in place, then the pin is in the bar and the pane shows it.
    await setFilter(page, 'checkout (error|failed)');
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    const form = page.getByRole('form', { name: 'Pin this filter' });
    expect(await form.getByLabel('Pin name').inputValue()).toBe('checkout (error|failed)');
    await form.getByLabel('Pin name').fill('checkout errors');
    await form.getByRole('button', { name: 'Pin', exact: true }).click();
    const chip = bar.locator('.pin-chip', { hasText: 'checkout errors' });
    await chip.waitFor();
    await page.getByRole('group', { name: 'Pin checkout errors' }).waitFor();
    const pins = (await api<Pin[]>(stack.hub.url, 'GET', '/api/pins')).body;
    expect(pins).toMatchObject([{ name: 'checkout errors', query: 'checkout (error|failed)' }]);
    expect(new URL(page.url()).searchParams.get('p')).toBe(pins[0]!.id);

    await stack.append(['checkout error before-deploy-1 order=1', 'checkout failed before-deploy-2 order=2']);
    await rows(page, 'before-deploy-2').waitFor();

    // A deploy from CI: a divider in the live stream at the point it was announced...
    const deploy = await postDeploy('web v1.2.3');
    const divider = page.locator('.marker-row--deploy');
    await divider.waitFor();
    const time = new Date(deploy.startedAt).toISOString().slice(11, 19); // the page runs in UTC
    expect(await divider.textContent()).toContain(`Deploy web v1.2.3 by ci · ${time}`);
    expect(await divider.getByRole('link', { name: 'web v1.2.3' }).getAttribute('href')).toBe('https://ci.example/runs/42');

    await stack.append(['checkout error after-deploy-1 order=3', 'checkout error after-deploy-2 order=4', 'checkout failed after-deploy-3 order=5']);
    await rows(page, 'after-deploy-3').waitFor();
    // ...between the lines written before it and those written after.
    const order = await page.locator('.stream__item').evaluateAll((items) =>
      items
        .map((item) => ({ top: new DOMMatrix(getComputedStyle(item).transform).m42, text: item.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((item) => (item.text.includes('Deploy web v1.2.3') ? 'DEPLOY' : /(before|after)-deploy-\d/.exec(item.text)?.[0])),
    );
    expect(order).toEqual(['before-deploy-1', 'before-deploy-2', 'DEPLOY', 'after-deploy-1', 'after-deploy-2', 'after-deploy-3']);

    // ...and a vertical line on the pin's graph, in the bar and on the pane.
    for (const sparkline of [chip.locator('svg.sparkline'), page.getByRole('group', { name: 'Pin checkout errors' }).locator('svg.sparkline')]) {
      const marker = sparkline.locator(`line.sparkline__deploy[data-deploy-id="${deploy.id}"]`);
      await marker.waitFor({ state: 'attached' });
      const x = Number(await marker.getAttribute('x1'));
      const width = Number(await sparkline.getAttribute('width'));
      // The deploy is seconds old on an hour-wide axis: at the right edge.
      expect(x).toBeGreaterThan(width * 0.95);
      expect(x).toBeLessThanOrEqual(width);
    }
    // The counts are drawn once their 10 s bucket is complete and the next refresh (every 10 s) has them.
    const line = chip.locator('path.sparkline__line');
    await expect.poll(async () => chip.locator('svg.sparkline').getAttribute('aria-label'), { timeout: 35_000, interval: 500 }).toMatch(/at most [1-9]\d* per 10 s/);
    expect(await line.getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/);
    // The deploy's verdict on the pin, in the bar and on the divider, while its window fills.
    const badge = chip.locator('.verdict');
    await badge.waitFor();
    expect(await badge.getAttribute('data-verdict')).toMatch(/^(worse|better|unchanged|too-few)$/);
    expect(await badge.textContent()).toMatch(/\d+ after · \d+ before\s*watching \d+ of 10 min$/);
    expect(await divider.locator('[data-verdict-summary]').textContent()).toMatch(/^· 1 pin (worse|better|unchanged|too few to tell) \(watching\)$/);

    // Select the lines after the deploy and save them as a capture.
    await rows(page, 'after-deploy-1').click();
    await rows(page, 'after-deploy-3').click({ modifiers: ['Shift'] });
    await page.getByText('3 lines selected').waitFor();
    await page.getByRole('button', { name: 'Save capture' }).click();
    const captureForm = page.getByRole('form', { name: 'Save capture' });
    await captureForm.getByLabel('Capture title').fill('Checkout errors after web v1.2.3');
    await captureForm.getByRole('button', { name: 'Save 3 lines' }).click();
    const saved = page.getByRole('status', { name: 'Capture saved' });
    const link = saved.getByRole('link');
    await link.waitFor();
    const permalink = (await link.getAttribute('href'))!;
    expect(permalink).toMatch(new RegExp(`^${stack.hub.url}/captures/[A-Za-z0-9_-]+$`));
    expect(await link.textContent()).toBe(permalink);
    await saved.getByRole('button', { name: 'Copy link' }).click();
    await saved.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await readClipboard(page)).toBe(permalink);

    // The permalink, opened in another browser context: the read-only page with the lines, no live stream.
    const reader = await browser.newPage(stack.hub.url);
    await reader.goto(permalink);
    await reader.getByRole('heading', { name: 'Checkout errors after web v1.2.3' }).waitFor();
    const captured = reader.locator('tr.capture-line');
    expect(await captured.count()).toBe(3);
    expect(await captured.locator('.capture-line__text').allTextContents()).toEqual([
      'checkout error after-deploy-1 order=3',
      'checkout error after-deploy-2 order=4',
      'checkout failed after-deploy-3 order=5',
    ]);
    expect(await captured.locator('.capture-line__host').allTextContents()).toEqual(['web-1', 'web-1', 'web-1']);
    expect(await reader.locator('.capture__filter code').first().textContent()).toBe('checkout (error|failed)');
    expect(await reader.locator('.connection').count()).toBe(0);
    expect(await reader.locator('[role="listbox"]').count()).toBe(0);

    await reader.getByRole('button', { name: 'Copy as Markdown' }).click();
    await reader.getByText('Copied as Markdown').waitFor();
    const markdown = await readClipboard(reader);
    expect(markdown).toContain('Checkout errors after web v1.2.3');
    expect(markdown).toMatch(/\n(`{3,})[a-z]*\n[^`\n]+ web-1 [^`\n]+ \| checkout error after-deploy-1 order=3\n[^`\n]+\| checkout error after-deploy-2 order=4\n[^`\n]+\| checkout failed after-deploy-3 order=5\n\1\n/);
  });

  it('follows pins created and deleted by someone else, opens one as a pane kept in the URL, and deletes with confirmation', async () => {
    const existing = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'search latency', query: 'search served .* took_ms=\\d{4,}' } });
    expect(existing.status).toBe(201);
    const page = await browser.newPage(stack.hub.url);
    await page.goto(stack.hub.url);
    await waitUntilLive(page);
    const bar = page.getByRole('navigation', { name: 'Pins' });
    await bar.locator(`.pin-chip[data-pin-id="${existing.body.id}"]`).waitFor();
    const before = await bar.locator('.pin-chip').count();

    // Someone else pins a filter (here: the API, as a script would): it shows up without a reload.
    const created = await api<Pin>(stack.hub.url, 'POST', '/api/pins', { json: { name: 'payments slow', query: 'payments .* took_ms=\\d{4,}', caseInsensitive: true } });
    expect(created.status).toBe(201);
    const chip = bar.locator(`.pin-chip[data-pin-id="${created.body.id}"]`);
    await chip.waitFor();
    expect(await bar.locator('.pin-chip').count()).toBe(before + 1);

    // Clicking it opens it as a pane with the pin's filter, part of the URL.
    await chip.getByRole('button', { name: /^payments slow/ }).click();
    await page.waitForURL((url) => url.searchParams.get('p') === created.body.id);
    expect(await pane(page, 1).getByLabel('Filter pattern', { exact: true }).inputValue()).toBe('payments .* took_ms=\\d{4,}');
    expect(await pane(page, 1).getByRole('button', { name: 'aA' }).getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await waitUntilLive(page);
    await page.getByRole('group', { name: 'Pin payments slow' }).waitFor();
    expect(await chip.getAttribute('class')).toContain('pin-chip--open');
    await stack.append(['PAYMENTS charge took_ms=4100 slow-one']);
    await rows(page, 'slow-one').waitFor();

    // Deleted by someone else: gone from the bar, and the pane keeps its filter but no longer claims the pin.
    expect((await api(stack.hub.url, 'DELETE', `/api/pins/${created.body.id}`)).status).toBe(204);
    await chip.waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'Pin payments slow' }).waitFor({ state: 'detached' });
    await page.waitForURL((url) => !url.searchParams.has('p'));
    expect(new URL(page.url()).searchParams.get('q')).toBe('payments .* took_ms=\\d{4,}');

    // Deleting from the bar asks first; Cancel keeps the pin.
    const name = 'search latency';
    await bar.locator('.pin-chip', { hasText: name }).getByRole('button', { name: `Delete pin ${name}` }).click();
    const confirm = bar.locator('.pin-chip--confirm');
    expect(await confirm.getByRole('alert').textContent()).toBe(`Delete the pin “${name}” for everyone?`);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await api<Pin[]>(stack.hub.url, 'GET', '/api/pins')).body.map((pin) => pin.name)).toContain(name);
    await bar.locator('.pin-chip', { hasText: name }).getByRole('button', { name: `Delete pin ${name}` }).click();
    await bar.locator('.pin-chip--confirm').getByRole('button', { name: 'Delete' }).click();
    await bar.locator('.pin-chip', { hasText: name }).waitFor({ state: 'detached' });
    expect((await api<Pin[]>(stack.hub.url, 'GET', '/api/pins')).body.map((pin) => pin.name)).not.toContain(name);
  });
});
