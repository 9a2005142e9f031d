import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../ui/src/app/app.js';
import { TYPING_DEBOUNCE_MS } from '../../../ui/src/features/filters/filter-bar.js';
import { loadToken } from '../../../ui/src/lib/api/token-store.js';
import { line } from '../helpers/fake-hub.js';
import { installLayout } from '../helpers/layout.js';
import { fakeSession } from '../helpers/session.js';

let restoreLayout: () => void;
let writeText: ReturnType<typeof vi.fn>;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2024, 4, 1, 12, 0, 0) });
  restoreLayout = installLayout();
  window.history.replaceState(null, '', '/');
  window.localStorage.clear();
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(window.navigator, 'clipboard', { configurable: true, value: { writeText } });
});

afterEach(() => {
  restoreLayout();
  vi.useRealTimers();
});

function renderApp(search = '', hash = '') {
  const fake = fakeSession(search, hash, { getToken: loadToken });
  render(<App createSession={() => fake.session} />);
  return fake;
}

const row = (id: string) => document.querySelector(`[data-line-id="${id}"]`) as HTMLElement;

/** The app live on `5\d\d`, showing four lines with ids a to d. */
function renderFourLines() {
  const rendered = renderApp('?q=5%5Cd%5Cd');
  const { hub, frames } = rendered;
  act(() => {
    hub.current.accept();
    hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '5\\d\\d' } });
    hub.current.receive({
      type: 'matches',
      sub: 'p1',
      lines: ['a', 'b', 'c', 'd'].map((id, i) => line(`GET /${id} 50${i}`, { id, ts: Date.UTC(2024, 4, 1, 12, 0, i) })),
    });
    frames.run();
  });
  return rendered;
}

describe('App', () => {
  it('streams matches into the pane and shows the connection as live', () => {
    const { hub, frames } = renderApp('?q=ERROR');
    act(() => {
      hub.current.accept();
      hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'ERROR' } });
      hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('ERROR boom', { id: 'e1', ranges: [[0, 5]] })] });
      frames.run();
    });
    expect(document.querySelector('.connection--live')?.textContent).toContain('Live');
    expect(row('e1').querySelector('mark')?.textContent).toBe('ERROR');
  });

  it("shows the hub's error for a bad pattern next to the box, and the page stays usable", () => {
    const { hub } = renderApp();
    act(() => {
      hub.current.accept();
      hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '' } });
    });
    fireEvent.change(screen.getByLabelText('Filter pattern'), { target: { value: 'status=(5' } });
    act(() => vi.advanceTimersByTime(TYPING_DEBOUNCE_MS));
    expect(hub.current.sentOfType('subscribe').at(-1)).toMatchObject({ sub: 'p1', filter: { query: 'status=(5' } });
    act(() => hub.current.receive({ type: 'error', code: 'SG_ERR_BAD_REGEX', message: 'missing ): status=(5', sub: 'p1' }));
    expect(screen.getByRole('alert').textContent).toBe('missing ): status=(5');
    expect(screen.getByText('Fix the pattern to see lines.')).toBeTruthy();
    expect(window.location.search).toBe('?q=status%3D%285');
  });

  it('asks for a token when the hub requires one, keeps it, and sends it on the next hello', () => {
    const { hub } = renderApp();
    act(() => {
      hub.current.open();
      hub.current.receive({ type: 'error', code: 'SG_ERR_UNAUTHORIZED', message: 'token required' });
      hub.current.serverClose(4401);
    });
    const dialog = screen.getByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Token'), { target: { value: 'viewer-s3cret' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(window.localStorage.getItem('supergrep.token')).toBe('viewer-s3cret');
    act(() => hub.current.open());
    expect(hub.sockets).toHaveLength(2);
    expect(hub.current.sent[0]).toMatchObject({ type: 'hello', token: 'viewer-s3cret' });
    act(() => hub.current.welcome());
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('selects with click and shift-click, copies Markdown, opens context, and Esc clears', async () => {
    const { hub } = renderFourLines();
    fireEvent.click(row('a'));
    expect(hub.current.sentOfType('context')).toMatchObject([{ id: 'a', before: 25, after: 25 }]);
    // Selecting freezes the pane, so the lines being picked do not scroll away.
    expect(screen.getByText('Paused (lines selected)')).toBeTruthy();
    fireEvent.click(row('c'), { shiftKey: true });
    expect(screen.getByText('3 lines selected')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy Markdown' }));
    });
    const markdown = writeText.mock.calls[0]![0] as string;
    expect(markdown.split('\n').slice(0, 5)).toEqual([
      '# Lines from supergrep',
      '',
      `- Live view: <${window.location.origin}/?q=5%5Cd%5Cd>`,
      '- Filter: query `5\\d\\d`, case-sensitive, all hosts, all files',
      '- Lines: 3, from 2024-05-01T12:00:00.000Z to 2024-05-01T12:00:02.000Z',
    ]);
    expect(markdown).toContain('2024-05-01T12:00:01.000Z web-1 /var/log/app.log | GET /b 501\n');
    expect(markdown).toContain(`2. \\~2024-05-01T12:00:01.000Z web-1: <${window.location.origin}/?q=5%5Cd%5Cd#line=b>`);
    expect(screen.getByText('Copied 3 lines')).toBeTruthy();

    fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByText(/lines selected/)).toBeNull();
    expect(screen.getByText('Live', { selector: '.stream-status__live' })).toBeTruthy();
    expect(screen.queryByLabelText('Line context')).toBeNull();
  });

  it('keyboard: / focuses the filter, Space pauses and resumes (but not while typing)', () => {
    const { hub } = renderApp();
    act(() => hub.current.accept());
    const input = screen.getByLabelText('Filter pattern');
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(input);
    fireEvent.keyDown(input, { key: ' ' });
    expect(screen.queryByText('Paused')).toBeNull();
    input.blur();
    fireEvent.keyDown(document.body, { key: ' ' });
    expect(screen.getByText('Paused')).toBeTruthy();
    fireEvent.keyDown(document.body, { key: ' ' });
    expect(screen.getByText('Live', { selector: '.stream-status__live' })).toBeTruthy();
    // On a focused button Space presses the button (no second toggle), and / still finds the filter.
    const pause = screen.getByRole('button', { name: /Pause/ });
    pause.focus();
    fireEvent.keyDown(pause, { key: ' ' });
    expect(screen.getByText('Live', { selector: '.stream-status__live' })).toBeTruthy();
    fireEvent.keyDown(pause, { key: '/' });
    expect(document.activeElement).toBe(input);
  });

  it('keyboard: j/k move a row cursor, Enter opens context, x selects a range, c copies, G goes live, ? lists the shortcuts', async () => {
    const { hub } = renderFourLines();
    const cursor = () => document.querySelector('.log-row--cursor')?.getAttribute('data-line-id');
    // The first k lands on the newest line and pauses the pane, as selecting does.
    fireEvent.keyDown(document.body, { key: 'k' });
    expect(cursor()).toBe('d');
    expect(screen.getByText('Paused (keyboard cursor)')).toBeTruthy();
    const list = screen.getByRole('listbox');
    expect(list.getAttribute('aria-activedescendant')).toBe(document.querySelector('.log-row--cursor')!.id);
    fireEvent.keyDown(document.body, { key: 'k' });
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(cursor()).toBe('b');
    fireEvent.keyDown(document.body, { key: 'j' });
    expect(cursor()).toBe('c');
    fireEvent.keyDown(document.body, { key: 'Enter' });
    expect(hub.current.sentOfType('context')).toMatchObject([{ id: 'c' }]);

    fireEvent.keyDown(document.body, { key: 'x' });
    fireEvent.keyDown(document.body, { key: 'k' });
    fireEvent.keyDown(document.body, { key: 'k' });
    fireEvent.keyDown(document.body, { key: 'x' });
    expect(screen.getByText('3 lines selected')).toBeTruthy();
    await act(async () => {
      fireEvent.keyDown(document.body, { key: 'c' });
    });
    expect(writeText.mock.calls[0]![0]).toContain('GET /a 500\n');
    expect(writeText.mock.calls[0]![0]).toContain('GET /c 502\n');
    fireEvent.keyDown(document.body, { key: 's' });
    expect(screen.getByRole('form', { name: 'Save capture' })).toBeTruthy();

    // g: the oldest line; G: no cursor, no selection, live.
    fireEvent.keyDown(document.body, { key: 'g' });
    expect(cursor()).toBe('a');
    fireEvent.keyDown(document.body, { key: 'G' });
    expect(cursor()).toBeUndefined();
    expect(screen.queryByText(/lines selected/)).toBeNull();
    expect(screen.getByText('Live', { selector: '.stream-status__live' })).toBeTruthy();

    // Typing in the filter is typing, not shortcuts.
    const input = screen.getByLabelText('Filter pattern');
    fireEvent.keyDown(input, { key: 'k' });
    expect(cursor()).toBeUndefined();

    fireEvent.keyDown(document.body, { key: '?' });
    const help = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    const keys = [...help.querySelectorAll('kbd')].map((kbd) => kbd.textContent);
    expect(keys).toEqual(expect.arrayContaining(['/', 'j', 'k', 'Enter', 'x', 'Shift+click', 'c', 's', 'g', 'G', 'Space', 'Esc', '?']));
    fireEvent.click(within(help).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull();
  });

  it('phone width: one pane at a time, the pins and the filter options folded, rows wrapped', () => {
    const listeners = new Set<() => void>();
    const narrow = { matches: true };
    Object.defineProperty(window, 'matchMedia', {
      configurable: true,
      value: (query: string) => ({
        media: query,
        get matches() {
          return narrow.matches;
        },
        addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
        removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
      }),
    });
    try {
      const { hub } = renderApp('?q=a&q2=b&active=2');
      act(() => hub.current.accept());
      expect(document.querySelectorAll('section.pane')).toHaveLength(1);
      expect(screen.getByLabelText('Filter pattern')).toHaveProperty('value', 'b');
      // The pins fold into one button; the exclude pattern and the source pickers behind "Options".
      const pins = screen.getByRole('button', { name: /^Pins \(0\)/ });
      expect(pins.getAttribute('aria-expanded')).toBe('false');
      expect(screen.queryByRole('textbox', { name: 'Exclude pattern' })).toBeNull();
      fireEvent.click(screen.getByRole('button', { name: 'Options' }));
      expect(screen.getByRole('textbox', { name: 'Exclude pattern' })).toBeTruthy();
      fireEvent.click(pins);
      expect(screen.getByRole('button', { name: /^Pins \(0\)/ }).getAttribute('aria-expanded')).toBe('true');
      // Rows wrap until the user says otherwise.
      expect(screen.getByRole('button', { name: 'Wrap' }).getAttribute('aria-pressed')).toBe('true');
      // Wider again (a rotation): both panes, side by side.
      narrow.matches = false;
      act(() => listeners.forEach((listener) => listener()));
      expect(document.querySelectorAll('section.pane')).toHaveLength(2);
    } finally {
      Reflect.deleteProperty(window, 'matchMedia');
    }
  });

  it('shows reconnecting with a countdown, then a gap marker in the stream', () => {
    const { hub, frames } = renderApp();
    act(() => {
      hub.current.accept();
      hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: '' } });
      hub.current.serverClose(1006);
    });
    expect(screen.getByText(/Reconnecting in 1 s \(attempt 1\)/)).toBeTruthy();
    act(() => vi.advanceTimersByTime(250));
    act(() => {
      hub.current.accept();
      frames.run();
    });
    expect(screen.getByText(/Disconnected 12:00:00.000 – 12:00:00.250 \(0.3 s\)/)).toBeTruthy();
    // Re-subscribed with a backlog: lines the pane already shows are skipped, the gap's are added.
    expect(hub.current.sentOfType('subscribe')).toMatchObject([{ sub: 'p1', backlog: 1000 }]);
  });

  it('keeps the URL equal to the view: panes, filters, layout', () => {
    renderApp('?q=a');
    fireEvent.click(screen.getByRole('button', { name: '+ Pane' }));
    expect(window.location.search).toBe('?q=a&q2=&active=2');
    fireEvent.click(screen.getByRole('button', { name: 'Tabs' }));
    expect(window.location.search).toBe('?q=a&q2=&active=2&layout=tabs');
    expect(document.querySelectorAll('.pane')).toHaveLength(1);
    fireEvent.click(screen.getAllByRole('button', { name: /Close pane/ })[0]!);
    expect(window.location.search).toBe('?q=a&layout=tabs');
  });
});
