import type { Page } from 'playwright-core';
import { servePlainList, type PageServer } from './plain-list-server.js';
import { sleep, withTimeout } from './time-limits.js';

/** The bound on lines kept per pane: the UI's default, and the baseline's too. */
export const MAX_LINES = 50_000;
/** Lines the UI asks the hub to replay when a filter is set (ui/src/app/session.ts); the baseline asks the same. */
const BACKLOG_LINES = 1000;
/** Time for the subscription to reach the hub after the page says it is connected. */
const SUBSCRIBE_SETTLE_MS = 1000;

/** One of the two pages the firehose is pointed at, and how the scenario talks to it. */
export interface PageUnderTest {
  name: string;
  /** The element that scrolls the lines. */
  listSelector: string;
  /** Starts what serves the page when the hub does not (before the hub, which must accept its origin). */
  serve?(hubWsUrlLater: () => string, query: string): Promise<PageServer>;
  /** Opens the page and waits until it is subscribed with `query`; `pageUrl` is the hub's or serve()'s origin. */
  open(page: Page, pageUrl: string, query: string): Promise<void>;
  /** Back to following the newest lines after the scroll test; says whether the page was paused. */
  resume(page: Page): Promise<boolean>;
}

export const supergrepUi: PageUnderTest = {
  name: 'supergrep UI',
  listSelector: '.stream__scroll',
  async open(page, hubUrl, query) {
    await page.goto(`${hubUrl}/?${new URLSearchParams({ q: query })}`);
    await page.locator('.connection--live').waitFor({ timeout: 20_000 });
    await sleep(SUBSCRIBE_SETTLE_MS);
  },
  async resume(page) {
    // Scrolling up paused the pane; its "N new lines" button goes back to live. No button: the
    // scroll did not pause it (the benchmark's scroll figure says so), nothing to resume.
    const button = page.locator('.stream__new-lines');
    if (!(await withTimeout(button.isVisible(), 10_000, 'new lines button'))) return false;
    await button.click({ timeout: 10_000 });
    return true;
  },
};

export const plainList: PageUnderTest = {
  name: 'plain list',
  listSelector: '#list',
  serve(hubWsUrlLater, query) {
    // The page is built when requested, by which time the hub (started after this server) is up.
    return servePlainList(() => ({ hubWsUrl: hubWsUrlLater(), query, maxRows: MAX_LINES, backlog: BACKLOG_LINES }));
  },
  async open(page, pageUrl) {
    await page.goto(pageUrl);
    await page.waitForFunction(() => (globalThis as { __plainList?: { subscribed: boolean } }).__plainList?.subscribed === true, undefined, { timeout: 20_000 });
    await sleep(SUBSCRIBE_SETTLE_MS);
  },
  async resume(page) {
    await withTimeout(
      page.evaluate((selector) => {
        const list = (globalThis as unknown as { document: { querySelector(s: string): { scrollTop: number; scrollHeight: number } | null } }).document.querySelector(selector);
        if (list) list.scrollTop = list.scrollHeight;
      }, '#list'),
      10_000,
      'plain list: scroll to the bottom',
    );
    // It has no pause: a scrolled-up view simply stops following.
    return true;
  },
};
