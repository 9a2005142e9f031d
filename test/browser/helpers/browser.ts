import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, type TestContext } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`); the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where failure screenshots and the layout screenshots go. */
export const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/browser/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface PageOptions {
  /** Light or dark theme (prefers-color-scheme). */
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

export interface BrowserHarness {
  /**
   * A page in a new browser context (its own storage: no token, no clipboard left over) that may
   * read and write the clipboard for `origin`. Closed after the test; screenshotted first if the test failed.
   */
  newPage(origin: string, options?: PageOptions): Promise<Page>;
}

/**
 * One Chromium per test file (launched with a fresh profile directory of its own, removed when it
 * closes), a new context per page. Registers its own hooks: call it once at the top of a test file.
 * A test fails if a page threw an uncaught error or broke the Content-Security-Policy, even when
 * its assertions passed.
 */
export function useBrowser(): BrowserHarness {
  let browser: Browser | undefined;
  let contexts: { context: BrowserContext; pages: Page[] }[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 });
  });

  afterEach(async (context: TestContext) => {
    const opened = contexts;
    contexts = [];
    const problems = pageErrors.splice(0);
    if (context.task.result?.state === 'fail' || problems.length > 0) {
      await screenshotAll(context.task.name, opened.flatMap((entry) => entry.pages));
    }
    // A context that will not close is the browser's problem; afterAll closes the browser anyway.
    await Promise.all(opened.map((entry) => entry.context.close().catch(() => undefined)));
    if (problems.length > 0) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });

  return {
    async newPage(origin, options = {}) {
      if (!browser) throw new Error('useBrowser(): the browser is not running (is newPage called outside a test?)');
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 720 },
        colorScheme: options.colorScheme ?? 'light',
        timezoneId: 'UTC',
        locale: 'en-US',
      });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      const entry = { context, pages: [] as Page[] };
      contexts.push(entry);
      // Every page of the context, including ones the app opens (a permalink in a new tab).
      context.on('page', (opened) => {
        entry.pages.push(opened);
        watchForProblems(opened, pageErrors);
      });
      return context.newPage();
    },
  };
}

/** Records uncaught page errors and CSP violations (the hub sends a strict CSP: the UI must need no inline script or style). */
function watchForProblems(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`page error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) into.push(`CSP violation on ${page.url()}: ${message.text()}`);
  });
}

async function screenshotAll(testName: string, pages: readonly Page[]): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const base = testName.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
  await Promise.all(
    pages.map((page, index) =>
      page.isClosed()
        ? undefined
        : page.screenshot({ path: `${RESULTS_DIR}FAILED-${base}${pages.length > 1 ? `-${index + 1}` : ''}.png`, fullPage: false, timeout: 10_000 }).catch(() => undefined),
    ),
  );
}
