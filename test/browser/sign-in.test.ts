import { describe, expect, it } from 'vitest';
import type { CaptureCreated, Pin } from '../../protocol/index.js';
import { api } from '../helpers/http-api.js';
import { useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';
import { readClipboard, rows, setFilter, waitUntilLive } from './helpers/ui.js';

const VIEWER_SECRET = 'viewer-secret-5f1c2a9e';
const EDITOR_SECRET = 'editor-secret-0b77d3c4';

/**
 * A hub with tokens: the UI asks for one, refuses a wrong one, keeps a right one (issue 3), and
 * offers to change things only to an editor (docs/security.md, role matrix).
 */
describe('sign-in and roles', () => {
  const browser = useBrowser();
  const stack = useStack({ hubEnv: { SUPERGREP_VIEWER_TOKEN: `dashboards:${VIEWER_SECRET}`, SUPERGREP_EDITOR_TOKEN: `ops:${EDITOR_SECRET}` } });

  it('asks for the token, says when it is wrong, then streams with the right one and remembers it', async () => {
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=signed-in`);
    const dialog = page.getByRole('dialog', { name: 'Sign in to this hub' });
    await dialog.waitFor();
    expect(await page.getByText('Sign-in required').count()).toBe(1);

    await dialog.getByLabel('Token').fill('not-the-token');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.getByText('The hub did not accept that token. Enter a valid one.').waitFor();

    await dialog.getByLabel('Token').fill(VIEWER_SECRET);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await waitUntilLive(page);
    expect(await page.locator('.connection--live').textContent()).toContain('Live · dashboards');
    expect(await dialog.count()).toBe(0);

    await stack.append(['signed-in line one']);
    await rows(page, 'signed-in line one').waitFor();

    // The token is kept in this browser: a reload goes straight to the stream, from the hub's backlog.
    await page.reload();
    await waitUntilLive(page);
    await rows(page, 'signed-in line one').waitFor();
    expect(await dialog.count()).toBe(0);

    // A viewer token may read but not change anything: the UI says so instead of offering to pin.
    await page.getByText('read-only').waitFor();
    const pin = page.getByRole('button', { name: 'Pin', exact: true });
    expect(await pin.isDisabled()).toBe(true);
    expect(await pin.getAttribute('title')).toContain('needs an editor token');
    await page.getByRole('navigation', { name: 'Pins' }).getByText(/No pins yet/).waitFor();
  });

  it('lets an editor pin a filter, recorded under the token name', async () => {
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}/?q=editor-test`);
    const dialog = page.getByRole('dialog', { name: 'Sign in to this hub' });
    await dialog.getByLabel('Token').fill(EDITOR_SECRET);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await waitUntilLive(page);
    expect(await page.getByText('read-only').count()).toBe(0);

    await setFilter(page, 'payment (declined|failed)');
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    const form = page.getByRole('form', { name: 'Pin this filter' });
    await form.getByLabel('Pin name').fill('payments failing');
    await form.getByRole('button', { name: 'Pin', exact: true }).click();
    await page.getByRole('group', { name: 'Pin payments failing' }).waitFor();
    const pins = await api<Pin[]>(stack.hub.url, 'GET', '/api/pins', { token: VIEWER_SECRET });
    expect(pins.body).toMatchObject([{ name: 'payments failing', query: 'payment (declined|failed)', createdBy: 'ops' }]);
  });

  it('asks for a token on a capture page too, then shows the capture and copies its Markdown with it', async () => {
    const saved = await api<CaptureCreated>(stack.hub.url, 'POST', '/api/captures', {
      token: EDITOR_SECRET,
      json: { title: 'Token-protected capture', lines: [{ host: 'web-1', file: '/var/log/app.log', ts: Date.now(), line: 'only for signed-in eyes' }] },
    });
    expect(saved.status).toBe(201);
    const page = await browser.newPage(stack.hub.url);
    await page.goto(`${stack.hub.url}${saved.body.url}`);
    const dialog = page.getByRole('dialog', { name: 'Sign in to this hub' });
    await dialog.getByLabel('Token').fill(VIEWER_SECRET);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Token-protected capture' }).waitFor();
    expect(await page.locator('.capture-line__text').allTextContents()).toEqual(['only for signed-in eyes']);
    expect(await page.locator('.capture__meta dd').first().textContent()).toMatch(/^by ops, /);

    // The Markdown needs the token too: the page fetches it with the header, then copies it.
    await page.getByRole('button', { name: 'Copy as Markdown' }).click();
    await page.getByText('Copied as Markdown').waitFor();
    expect(await readClipboard(page)).toMatch(/^# Token-protected capture\n[\s\S]*\| only for signed-in eyes\n/);
  });
});
