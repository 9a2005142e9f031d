import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../ui/src/lib/api/api-client.js';
import { FakeApi } from '../helpers/fake-api.js';
import { line } from '../helpers/fake-hub.js';
import { renderApp, settle } from '../helpers/render-app.js';

let cleanupLayout: (() => void) | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2024, 4, 1, 12, 0, 0) });
  window.localStorage.clear();
});
afterEach(() => {
  cleanupLayout?.();
  cleanupLayout = undefined;
  vi.useRealTimers();
});

const row = (id: string) => document.querySelector(`[data-line-id="${id}"]`) as HTMLElement;

/** The App with four matching lines in pane 1, the first three selected. */
async function withSelection(api = new FakeApi(), welcome = {}) {
  const app = renderApp('?q=5%5Cd%5Cd&x=healthcheck', '', api);
  cleanupLayout = app.restoreLayout;
  act(() => {
    app.hub.current.accept(welcome);
    app.hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '5\\d\\d' } });
    app.hub.current.receive({
      type: 'matches',
      sub: 'p1',
      lines: ['a', 'b', 'c', 'd'].map((id, i) => line(`GET /${id} 50${i}`, { id, ts: Date.UTC(2024, 4, 1, 11, 59, i), ranges: [[7, 10]] })),
    });
    app.frames.run();
  });
  await settle();
  fireEvent.click(row('a'));
  fireEvent.click(row('c'), { shiftKey: true });
  expect(screen.getByText('3 lines selected')).toBeTruthy();
  return app;
}

describe('Save capture', () => {
  it('saves the selected lines with a title and the pane filter, then shows the permalink to copy', async () => {
    const api = new FakeApi();
    api.createCapture.mockResolvedValueOnce({ id: 'zhw9', url: '/captures/zhw9' });
    const { writeText } = await withSelection(api);

    fireEvent.click(screen.getByRole('button', { name: 'Save capture' }));
    const form = screen.getByRole('form', { name: 'Save capture' });
    const title = within(form).getByLabelText('Capture title');
    expect(document.activeElement).toBe(title);
    // A title is required.
    expect((within(form).getByRole('button', { name: 'Save 3 lines' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(title, { target: { value: 'Checkout 5xx after deploy ' } });
    await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Save 3 lines' })));

    expect(api.createCapture).toHaveBeenCalledWith({
      title: 'Checkout 5xx after deploy',
      filter: { query: '5\\d\\d', exclude: 'healthcheck' },
      lines: [
        { host: 'web-1', file: '/var/log/app.log', ts: Date.UTC(2024, 4, 1, 11, 59, 0), line: 'GET /a 500' },
        { host: 'web-1', file: '/var/log/app.log', ts: Date.UTC(2024, 4, 1, 11, 59, 1), line: 'GET /b 501' },
        { host: 'web-1', file: '/var/log/app.log', ts: Date.UTC(2024, 4, 1, 11, 59, 2), line: 'GET /c 502' },
      ],
    });
    expect(screen.queryByRole('form', { name: 'Save capture' })).toBeNull();
    const saved = screen.getByRole('status', { name: 'Capture saved' });
    const link = within(saved).getByRole('link');
    const permalink = `${window.location.origin}/captures/zhw9`;
    expect(link.getAttribute('href')).toBe(permalink);
    expect(link.textContent).toBe(permalink);
    expect(saved.textContent).toContain('Saved “Checkout 5xx after deploy”');

    await act(async () => fireEvent.click(within(saved).getByRole('button', { name: 'Copy link' })));
    expect(writeText).toHaveBeenLastCalledWith(permalink);
    expect(within(saved).getByRole('button', { name: 'Copied' })).toBeTruthy();

    // The link stays after the selection is cleared, until dismissed.
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.getByRole('status', { name: 'Capture saved' })).toBeTruthy();
    fireEvent.click(within(saved).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('status', { name: 'Capture saved' })).toBeNull();
  });

  it('shows a readable message when the hub refuses, and keeps the form and the selection', async () => {
    const api = new FakeApi();
    api.createCapture.mockRejectedValueOnce(new ApiError(403, 'SG_ERR_FORBIDDEN', 'ops may read but not change anything: POST needs an editor'));
    await withSelection(api);
    fireEvent.click(screen.getByRole('button', { name: 'Save capture' }));
    const form = screen.getByRole('form', { name: 'Save capture' });
    fireEvent.change(within(form).getByLabelText('Capture title'), { target: { value: 'x' } });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toBe(
      'You cannot save this capture: your sign-in lets you view but not change anything on this hub. Ask for an editor token. (ops may read but not change anything: POST needs an editor)',
    );
    expect(screen.getByText('3 lines selected')).toBeTruthy();
    expect(screen.queryByRole('status', { name: 'Capture saved' })).toBeNull();

    // Esc in the form closes the form only; the selection stays.
    fireEvent.keyDown(within(form).getByLabelText('Capture title'), { key: 'Escape' });
    expect(screen.queryByRole('form', { name: 'Save capture' })).toBeNull();
    expect(screen.getByText('3 lines selected')).toBeTruthy();
  });

  it('is not offered to a read-only sign-in', async () => {
    await withSelection(new FakeApi(), { role: 'viewer' });
    expect((screen.getByRole('button', { name: 'Save capture' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
