import { describe, expect, it } from 'vitest';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { filterInput, pane, readClipboard, rows, setFilter, waitUntilLive } from './helpers/ui.js';

/** Live filtering in a real browser against a real hub and agent (issue 3: the UI). */
describe('live filtering', () => {
  const browser = useBrowser();
  const stack = useStack();

  async function openLive(path = '/') {
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}${path}`);
    await waitUntilLive(page);
    return page;
  }

  it('shows a line appended to a followed file, with exactly the matched text in <mark>', async () => {
    const page = await openLive();
    await setFilter(page, 'status=5\\d\\d');
    await stack.append(['GET /ok status=200 rt=3', 'GET /checkout status=503 rt=1200 first-match']);

    const row = rows(page, 'first-match');
    await row.waitFor();
    expect(await row.locator('mark').allTextContents()).toEqual(['status=503']);
    expect(await row.locator('.log-row__host').textContent()).toBe('web-1');
    expect(await rows(page, 'status=200').count()).toBe(0);
  });

  it('never shows a line that does not match (checked after a later matching sentinel arrived)', async () => {
    const page = await openLive('/?q=status%3D5%5Cd%5Cd&x=healthcheck');
    // Same write, in file order: the non-matching and the excluded line come first.
    await stack.append(['GET /cart status=200 never-shown-a', 'GET /healthcheck status=500 never-shown-b', 'GET /pay status=502 sentinel-1']);
    await rows(page, 'sentinel-1').waitFor();
    expect(await rows(page, /never-shown/).count()).toBe(0);
    expect(await rows(page).allTextContents()).not.toContain(expect.stringContaining('never-shown'));
  });

  it('pauses: lines written meanwhile are counted, not shown, and appear on resume', async () => {
    const page = await openLive('/?q=pause-test');
    await stack.append(['pause-test before']);
    await rows(page, 'pause-test before').waitFor();

    await page.getByRole('button', { name: /Pause/ }).click();
    await page.getByText('Paused', { exact: true }).waitFor();
    await stack.append(['pause-test while-1', 'pause-test while-2', 'pause-test while-3']);
    await page.getByRole('button', { name: '▼ 3 new lines' }).waitFor();
    expect(await rows(page, /while-/).count()).toBe(0);

    await page.getByRole('button', { name: /Resume/ }).click();
    await rows(page, 'while-3').waitFor();
    expect(await rows(page, /pause-test/).allTextContents()).toEqual([
      expect.stringContaining('before'),
      expect.stringContaining('while-1'),
      expect.stringContaining('while-2'),
      expect.stringContaining('while-3'),
    ]);
    await page.locator('.stream-status__live').waitFor();
    expect(await page.getByRole('button', { name: /new lines/ }).count()).toBe(0);
  });

  it('pauses on a wheel up while lines stream in, stays where the user scrolled, counts new lines, resumes to live', async () => {
    const page = await openLive('/?q=wheel-test');
    const scroller = page.locator('.stream__scroll');
    // A firehose (about 10,000 lines/s): under it a batch is committed between the browser scrolling and the page seeing the scroll, the case the pause must survive.
    let next = 0;
    let streaming = true;
    const feeding = (async () => {
      while (streaming) {
        await stack.append(Array.from({ length: 200 }, () => `wheel-test line ${String(next++).padStart(6, '0')}`));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      // Enough lines to scroll through, and the stream still arriving.
      // And the pane's bound reached: from then on every commit also trims the oldest lines.
      await page.locator('.stream-status__trimmed').waitFor({ timeout: 30_000 });
      expect(await page.locator('.stream-status__live').count()).toBe(1);
      const box = await scroller.boundingBox();
      await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
      for (let step = 0; step < 3; step++) {
        // The page is busy when the wheel turns, as it is under a firehose on a loaded machine: the
        // browser scrolls at once, and the page runs its own work before it sees the wheel.
        await page.evaluate(() => {
          setTimeout(() => {
            const until = performance.now() + 400;
            while (performance.now() < until);
          }, 0);
        });
        await page.mouse.wheel(0, -300);
        await page.waitForTimeout(500);
      }

      await page.getByText('Paused (scrolled up)').waitFor({ timeout: 5_000 });
      // The view stays where the wheel left it, above the newest lines, while lines keep arriving.
      const where = () =>
        scroller.evaluate((element) => {
          const box = element.getBoundingClientRect();
          const top = [...element.querySelectorAll('[data-line-id]')].find((row) => row.getBoundingClientRect().bottom > box.top + 1);
          return { fromBottom: element.scrollHeight - element.scrollTop - element.clientHeight, topLine: top?.textContent ?? '' };
        });
      await page.waitForTimeout(300);
      const first = await where();
      expect(first.fromBottom).toBeGreaterThan(300);
      const counter = page.getByRole('button', { name: /▼ [\d,]+ new lines/ });
      const count = async () => Number((await counter.textContent())!.replace(/\D/g, ''));
      const before = await count();
      await page.waitForTimeout(1_000);
      const second = await where();
      expect(second.topLine).toBe(first.topLine);
      expect(second.fromBottom).toBeGreaterThan(300);
      expect(await count()).toBeGreaterThan(before);
      expect(await page.getByText('Paused (scrolled up)').count()).toBe(1);

      // Resuming goes back to live, at the newest lines.
      await counter.click();
      await page.locator('.stream-status__live').waitFor();
      await page.waitForFunction(() => {
        const element = document.querySelector('.stream__scroll')!;
        return element.scrollHeight - element.scrollTop - element.clientHeight < 5;
      });
      expect(await page.getByRole('button', { name: /new lines/ }).count()).toBe(0);
    } finally {
      streaming = false;
      await feeding;
    }
  });

  it('copies selected lines as Markdown: a header naming the filter and range, then a fenced block', async () => {
    const page = await openLive('/?q=copy-test');
    await stack.append(['copy-test one ERROR', 'copy-test two', 'copy-test three with ``` fence']);
    await rows(page, 'three').waitFor();

    await rows(page, 'copy-test one').click();
    await rows(page, 'copy-test three').click({ modifiers: ['Shift'] });
    await page.getByText('3 lines selected').waitFor();
    await page.getByRole('button', { name: 'Copy Markdown' }).click();
    await page.getByText('Copied 3 lines').waitFor();

    const markdown = await readClipboard(page);
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Lines from supergrep');
    expect(lines).toContain('- Filter: query `copy-test`, case-sensitive, all hosts, all files');
    const iso = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    expect(lines.find((line) => line.startsWith('- Lines: '))).toMatch(new RegExp(`^- Lines: 3, (all at ${iso}|from ${iso} to ${iso})$`));
    // The fence is longer than the ``` inside a line, so the line cannot close the block.
    const open = lines.indexOf('````text');
    expect(open).toBeGreaterThan(0);
    expect(lines.slice(open + 1, open + 4)).toEqual([
      expect.stringMatching(new RegExp(`Z web-1 ${escape(stack.logFile)} \\| copy-test one ERROR$`)),
      expect.stringMatching(/ \| copy-test two$/),
      expect.stringMatching(/ \| copy-test three with ``` fence$/),
    ]);
    expect(lines[open + 4]).toBe('````');
    // Each line's permalink on the live view.
    const links = lines.slice(lines.indexOf('Line permalinks:') + 2).filter((line) => line !== '');
    expect(links).toHaveLength(3);
    for (const link of links) expect(link).toMatch(/^\d\. \\~\S+ web-1: <http:\/\/127\.0\.0\.1:\d+\/\?q=copy-test#line=[^>]+>$/);
  });

  it('keeps the whole view across a reload: filters, exclude, case, panes, active pane', async () => {
    const page = await openLive();
    const first = pane(page, 1);
    await setFilter(first, 'checkout failed');
    await first.getByLabel('Exclude pattern').fill('retry');
    await first.getByLabel('Exclude pattern').press('Enter');
    await first.getByRole('button', { name: 'Aa' }).click();
    await page.getByRole('button', { name: '+ Pane' }).click();
    await setFilter(pane(page, 2), 'reload-second');
    await page.waitForURL((url) => url.searchParams.get('q2') === 'reload-second');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'checkout failed', x: 'retry', i: '1', q2: 'reload-second', active: '2' });

    await page.reload();
    await waitUntilLive(page);
    expect(await page.locator('section.pane').count()).toBe(2);
    expect(await filterInput(pane(page, 1)).inputValue()).toBe('checkout failed');
    expect(await pane(page, 1).getByLabel('Exclude pattern').inputValue()).toBe('retry');
    expect(await pane(page, 1).getByRole('button', { name: 'aA' }).getAttribute('aria-pressed')).toBe('true');
    expect(await filterInput(pane(page, 2)).inputValue()).toBe('reload-second');
    expect(await pane(page, 2).getAttribute('class')).toContain('pane--active');

    // And the restored filters are the ones the hub applies: case-insensitive, with the exclusion.
    await stack.append(['CHECKOUT FAILED order=1 kept', 'checkout failed, retry scheduled', 'reload-second sentinel']);
    await rows(pane(page, 2), 'reload-second sentinel').waitFor();
    await rows(pane(page, 1), 'kept').waitFor();
    expect(await rows(pane(page, 1), 'retry').count()).toBe(0);
  });

  it("shows the hub's verdict on an invalid pattern next to the box", async () => {
    const page = await openLive();
    // Valid for JavaScript, refused by RE2: only the hub can say so.
    await setFilter(page, 'status=(?=5)');
    const error = page.locator('.filter-bar__error');
    await error.waitFor();
    const input = filterInput(page);
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
    expect(await error.textContent()).toMatch(/look(ahead|behind|around)|\(\?=/i);
    // Next to the box: in the same filter bar, right under the fields.
    expect(await page.locator('.filter-bar', { has: input }).locator('.filter-bar__error').count()).toBe(1);
    expect(await page.getByText('Fix the pattern to see lines.').count()).toBe(1);

    // Fixing it clears the error and the pane streams again.
    await setFilter(page, 'status=5\\d\\d');
    await error.waitFor({ state: 'detached' });
    await stack.append(['GET /fixed status=504 after-fix']);
    await rows(page, 'after-fix').waitFor();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
