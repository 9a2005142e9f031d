import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchRecord } from '../../../protocol/index.js';
import type { SearchQuery } from '../../../ui/src/lib/api/search-api.js';
import { deploy, FakeApi } from '../helpers/fake-api.js';
import { line } from '../helpers/fake-hub.js';
import { renderApp, settle } from '../helpers/render-app.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
let cleanupLayout: (() => void) | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  window.localStorage.clear();
});
afterEach(() => {
  cleanupLayout?.();
  cleanupLayout = undefined;
  vi.useRealTimers();
});

function answering(records: SearchRecord[]) {
  return async function* (_query: SearchQuery, _signal?: AbortSignal): AsyncGenerator<SearchRecord, void, undefined> {
    yield* records;
  };
}

async function liveApp(api: FakeApi) {
  const app = renderApp('?q=boom', '', api);
  cleanupLayout = app.restoreLayout;
  act(() => {
    app.hub.current.accept();
    app.hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'boom' } });
    app.hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('boom c', { id: 'c', ts: NOW - 2_000 }), line('boom d', { id: 'd', ts: NOW - 1_000 })] });
    app.frames.run();
  });
  await settle();
  return app;
}

const rowIds = () => [...document.querySelectorAll('[data-line-id]')].map((row) => row.getAttribute('data-line-id'));

describe('history in the UI', () => {
  it('searches the last 15 minutes from the time control, shows the results, and saves them as a capture with the range', async () => {
    const api = new FakeApi();
    api.search.mockImplementationOnce(
      answering([
        { type: 'progress', scannedBytes: 2_000, totalBytes: 8_000 },
        { type: 'match', line: line('boom old', { id: 'h1', ts: NOW - 600_000 }) },
        { type: 'done', count: 1, partial: true, failures: [{ hubId: 'hub-b', reason: 'timeout' }], cursor: 'next' },
      ]),
    );
    await liveApp(api);
    fireEvent.click(screen.getByRole('button', { name: 'Live ▾' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Last 15 min' })));
    await settle();

    expect(api.search.mock.calls[0]![0]).toMatchObject({ filter: { query: 'boom' }, from: NOW - 900_000, to: NOW, order: 'desc' });
    const results = screen.getByRole('listbox', { name: 'History results for boom' });
    expect(within(results).getByText('boom old')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Partial results: hub hub-b (timeout) did not answer.');
    expect(screen.getByRole('button', { name: 'Load more' })).toBeTruthy();
    // The toolbar says what the active pane shows.
    expect(screen.getByRole('button', { name: 'Last 15 min ▾' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Save capture' }));
    const form = screen.getByRole('form', { name: 'Save capture' });
    fireEvent.change(within(form).getByLabelText('Capture title'), { target: { value: 'Old booms' } });
    await act(async () => fireEvent.click(within(form).getByRole('button', { name: 'Save 1 line' })));
    expect(api.createCapture).toHaveBeenCalledWith({
      title: 'Old booms',
      filter: { query: 'boom' },
      range: { from: NOW - 900_000, to: NOW },
      lines: [{ host: 'web-1', file: '/var/log/app.log', ts: NOW - 600_000, line: 'boom old' }],
    });

    fireEvent.click(screen.getByRole('button', { name: 'Back to live' }));
    expect(rowIds()).toEqual(['c', 'd']);
  });

  it('loads older lines from history above the live ones, without repeating the seam line', async () => {
    const api = new FakeApi();
    api.search.mockImplementationOnce(
      answering([
        { type: 'match', line: line('boom c', { id: 'c', ts: NOW - 2_000 }) },
        { type: 'match', line: line('boom b', { id: 'b', ts: NOW - 3_000 }) },
        { type: 'match', line: line('boom a', { id: 'a', ts: NOW - 4_000 }) },
        { type: 'done', count: 3, partial: false },
      ]),
    );
    await liveApp(api);
    // Paused at the top of the buffer (here the lines fit the box): older lines are asked for at once.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '❚❚ Pause' })));
    await settle();
    expect(api.search.mock.calls[0]![0]).toMatchObject({ filter: { query: 'boom' }, order: 'desc', to: NOW - 2_000 + 1 });
    expect(rowIds()).toEqual(['a', 'b', 'c', 'd']);
    expect(screen.getByText('Start of history for this filter.')).toBeTruthy();
  });

  it('searches around a deploy, and jumps to a time with the lines before it first', async () => {
    const api = new FakeApi();
    const startedAt = NOW - 3_600_000;
    api.listDeploys.mockResolvedValue([deploy('web v1.2.3', startedAt)]);
    await liveApp(api);
    fireEvent.click(screen.getByRole('button', { name: 'Live ▾' }));
    await act(async () => fireEvent.change(screen.getByLabelText('Around deploy'), { target: { value: 'dep-web-v1-2-3' } }));
    await settle();
    expect(api.search.mock.calls[0]![0]).toMatchObject({ from: startedAt - 900_000, to: startedAt + 1_800_000, order: 'desc' });
    expect(screen.getByRole('button', { name: /^Around deploy web v1\.2\.3/ })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: /^Around deploy/ }));
    const jump = screen.getByRole('form', { name: 'Jump to time' });
    fireEvent.change(within(jump).getByLabelText('Jump to'), { target: { value: '2024-05-01T11:30:00' } });
    await act(async () => fireEvent.click(within(jump).getByRole('button', { name: 'Jump' })));
    await settle();
    const at = new Date(2024, 4, 1, 11, 30, 0).getTime();
    expect(api.search.mock.calls[1]![0]).toMatchObject({ order: 'desc', to: at, limit: 50 });
    expect(api.search.mock.calls[2]![0]).toMatchObject({ order: 'asc', from: at });
  });
});
