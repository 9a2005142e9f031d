import type { Locator, Page } from 'playwright-core';

/**
 * How the tests find things in the UI: by the names a user (or a screen reader) sees, so they break
 * when the UI stops saying what it does, not when a class is renamed.
 */
export function pane(page: Page, number: number): Locator {
  return page.locator('section.pane').nth(number - 1);
}

export function filterInput(scope: Page | Locator): Locator {
  return scope.getByLabel('Filter pattern', { exact: true });
}

/** The rows of a pane whose text contains `text`. */
export function rows(scope: Page | Locator, text?: string | RegExp): Locator {
  const all = scope.locator('[role="option"][data-line-id]');
  return text === undefined ? all : all.filter({ hasText: text });
}

/** Waits until the hub connection is up (the top bar says Live). */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.locator('.connection--live').waitFor({ timeout: 30_000 });
}

/**
 * Types a pattern and commits it (Enter skips the typing debounce). Lines written right after may
 * reach the hub before the new subscription does; the hub's backlog replay brings them anyway.
 */
export async function setFilter(scope: Page | Locator, pattern: string): Promise<void> {
  const input = filterInput(scope);
  await input.fill(pattern);
  await input.press('Enter');
}

/** Reads the clipboard the way a paste would: through the page. */
export function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}
