import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PaneStream } from '../../../../ui/src/features/stream/pane-stream.js';
import { StreamPane } from '../../../../ui/src/features/stream/stream-pane.js';
import type { LineEntry, StreamEntry } from '../../../../ui/src/lib/hub/stream-entry.js';
import { line } from '../../helpers/fake-hub.js';
import { installLayout } from '../../helpers/layout.js';

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = installLayout();
});
afterEach(() => restoreLayout());

const entry = (text: string, overrides: Parameters<typeof line>[1] = {}): LineEntry => ({ kind: 'line', line: line(text, overrides), backlog: false });

function renderPane(stream: PaneStream, props: Partial<Parameters<typeof StreamPane>[0]> = {}) {
  const onLineClick = vi.fn();
  const utils = render(
    <StreamPane stream={stream} label="Matches" selectedIds={new Set()} highlightId={undefined} onLineClick={onLineClick} emptyHint="nothing yet" connected {...props} />,
  );
  return { ...utils, onLineClick };
}

const row = (id: string) => document.querySelector(`[data-line-id="${id}"]`) as HTMLElement;

describe('StreamPane', () => {
  it('renders each match with time, host, file and the hub ranges as <mark>', () => {
    const stream = new PaneStream(100);
    stream.append([
      entry('GET /pay status=503 in 2s', { id: 'a', host: 'web-7', file: '/var/log/nginx/access.log', ts: Date.UTC(2024, 4, 1, 9, 5, 7, 42), ranges: [[9, 19]] }),
      entry('2024 ERROR db down, ERROR again', { id: 'b', ranges: [[5, 10], [20, 25]] }),
    ]);
    renderPane(stream);

    const first = row('a');
    expect(within(first).getByText('09:05:07.042')).toBeTruthy();
    expect(within(first).getByText('web-7')).toBeTruthy();
    expect(within(first).getByText('access.log').getAttribute('title')).toBe('/var/log/nginx/access.log');
    expect([...first.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['status=503']);
    expect(first.querySelector('.log-row__text')?.textContent).toBe('GET /pay status=503 in 2s');

    const second = row('b');
    expect([...second.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['ERROR', 'ERROR']);
    expect(second.dataset.level).toBe('error');
  });

  it('renders ANSI colours as classes and keeps a match across a colour change in one <mark>', () => {
    const stream = new PaneStream(100);
    const raw = 'lvl=\x1b[1;31mERROR\x1b[0m code';
    stream.append([entry(raw, { id: 'c', ranges: [[0, 16]] })]);
    renderPane(stream);
    const marks = row('c').querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.textContent).toBe('lvl=ERROR');
    const red = within(marks[0]!).getByText('ERROR');
    expect(red.className).toBe('ansi ansi-fg-1 ansi-bold');
    expect(row('c').querySelector('.log-row__text')?.textContent).toBe('lvl=ERROR code');
  });

  it('renders hostile lines as text, never as markup', () => {
    const stream = new PaneStream(100);
    stream.append([entry('<img src=x onerror="alert(1)"><script>alert(2)</script>', { id: 'x' })]);
    const { container } = renderPane(stream);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(row('x').textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('survives a line with an impossible timestamp and shows controls and bidi overrides visibly', () => {
    const stream = new PaneStream(100);
    stream.append([entry('user=\u202Enimda\u202C\x07 ok', { id: 'odd', ts: 1e20 })]);
    renderPane(stream);
    expect(within(row('odd')).getByText('--:--:--.---')).toBeTruthy();
    expect(row('odd').querySelector('.log-row__text')?.textContent).toBe('user=<U+202E>nimda<U+202C>␇ ok');
  });

  it('adds rows for a new batch without re-creating the rows already shown', () => {
    const stream = new PaneStream(100);
    stream.append([entry('one', { id: 'one' })]);
    renderPane(stream);
    const before = row('one');
    act(() => stream.append([entry('two', { id: 'two' }), entry('three', { id: 'three' })]));
    expect(row('one')).toBe(before);
    expect(row('three')).toBeTruthy();
  });

  it('virtualizes: a long stream puts only about a screenful of rows in the DOM', () => {
    const stream = new PaneStream(50_000);
    stream.append(Array.from({ length: 20_000 }, (_, i): StreamEntry => entry(`line ${i}`, { id: `n${i}` })));
    const { container } = renderPane(stream);
    const rows = container.querySelectorAll('.log-row').length;
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(80);
  });

  it('pauses and resumes from the button, counting lines that arrive meanwhile', () => {
    const stream = new PaneStream(100);
    stream.append([entry('a', { id: 'a' })]);
    renderPane(stream);
    fireEvent.click(screen.getByRole('button', { name: /pause/i }));
    expect(stream.getSnapshot().paused).toBe('user');
    act(() => stream.append([entry('b', { id: 'b' }), entry('c', { id: 'c' })]));
    expect(row('b')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: '▼ 2 new lines' }));
    expect(stream.getSnapshot().paused).toBeNull();
    expect(row('c')).toBeTruthy();
  });

  it('pauses when the user scrolls up and resumes when they scroll back to the bottom', () => {
    const stream = new PaneStream(1000);
    stream.append(Array.from({ length: 100 }, (_, i): StreamEntry => entry(`line ${i}`, { id: `s${i}` })));
    renderPane(stream);
    const scroller = document.querySelector('.stream__scroll') as HTMLElement;
    const bottom = 100 * 20 - 400;
    act(() => {
      scroller.scrollTop = bottom;
      fireEvent.scroll(scroller);
    });
    // Layout changes move the scroll position too; without a user gesture that must not pause.
    act(() => {
      scroller.scrollTop = bottom - 200;
      fireEvent.scroll(scroller);
    });
    expect(stream.getSnapshot().paused).toBeNull();
    act(() => {
      scroller.scrollTop = bottom;
      fireEvent.scroll(scroller);
      fireEvent.wheel(scroller, { deltaY: -200 });
      scroller.scrollTop = bottom - 200;
      fireEvent.scroll(scroller);
    });
    expect(stream.getSnapshot().paused).toBe('scroll');
    expect(screen.getByText('Paused (scrolled up)')).toBeTruthy();
    act(() => {
      fireEvent.wheel(scroller, { deltaY: 200 });
      scroller.scrollTop = bottom;
      fireEvent.scroll(scroller);
    });
    expect(stream.getSnapshot().paused).toBeNull();
  });

  it('pauses at the wheel up itself: a batch committed before the scroll event neither follows nor moves the view', () => {
    // A live window of 50 lines in a buffer of 1,000, so that opening the whole buffer is visible.
    const stream = new PaneStream(1000, 50);
    let next = 0;
    const batch = (count: number) => Array.from({ length: count }, (): StreamEntry => entry(`line ${next}`, { id: `w${next++}` }));
    stream.append(batch(200));
    renderPane(stream);
    const scroller = document.querySelector('.stream__scroll') as HTMLElement;
    const bottom = 50 * 20 - 400;
    expect(scroller.scrollTop).toBe(bottom);
    const liveStart = stream.getSnapshot().start;

    // The browser has scrolled, but the page has seen only the wheel so far; then a batch commits.
    act(() => {
      fireEvent.wheel(scroller, { deltaY: -100 });
    });
    expect(stream.getSnapshot()).toMatchObject({ paused: 'scroll', start: liveStart });
    scroller.scrollTop = bottom - 100;
    act(() => stream.append(batch(30)));
    expect(scroller.scrollTop).toBe(bottom - 100);
    expect(screen.getByRole('button', { name: '▼ 30 new lines' })).toBeTruthy();

    // Once the list has taken in the scroll, the whole buffer opens above the rows in view.
    const topLineId = `w${liveStart + (bottom - 100) / 20}`;
    act(() => {
      fireEvent.scroll(scroller);
    });
    expect(stream.getSnapshot().start).toBe(0);
    expect((stream.entryAt(scroller.scrollTop / 20) as LineEntry).line.id).toBe(topLineId);
    expect(row(topLineId)).toBeTruthy();
    act(() => stream.append(batch(20)));
    expect(screen.getByRole('button', { name: '▼ 50 new lines' })).toBeTruthy();
    expect(stream.getSnapshot().paused).toBe('scroll');

    fireEvent.click(screen.getByRole('button', { name: '▼ 50 new lines' }));
    expect(stream.getSnapshot().paused).toBeNull();
    expect(row(`w${next - 1}`)).toBeTruthy();
  });

  it('does not pause on a wheel up when the list fits its box, nor on a wheel down', () => {
    const stream = new PaneStream(1000);
    stream.append([entry('only', { id: 'o1' })]);
    renderPane(stream);
    const scroller = document.querySelector('.stream__scroll') as HTMLElement;
    act(() => {
      fireEvent.wheel(scroller, { deltaY: -100 });
    });
    expect(stream.getSnapshot().paused).toBeNull();
    act(() => stream.append(Array.from({ length: 100 }, (_, i): StreamEntry => entry(`more ${i}`, { id: `m${i}` }))));
    act(() => {
      fireEvent.wheel(scroller, { deltaY: 100 });
    });
    expect(stream.getSnapshot().paused).toBeNull();
    act(() => {
      fireEvent.keyDown(scroller, { key: 'PageUp' });
    });
    expect(stream.getSnapshot().paused).toBe('scroll');
  });

  it('shows the hub dropping lines, both in place and in the status strip', () => {
    const stream = new PaneStream(100);
    stream.append([entry('a'), { kind: 'dropped', count: 1234, at: 0 }, entry('b')]);
    renderPane(stream);
    expect(screen.getByText(/The hub dropped 1,234 lines here/)).toBeTruthy();
    expect(screen.getByText('⚠ 1,234 dropped by the hub')).toBeTruthy();
  });

  it('says how many lines the bound trimmed', () => {
    const stream = new PaneStream(3);
    stream.append(['a', 'b', 'c', 'd', 'e'].map((t) => entry(t)));
    renderPane(stream);
    expect(screen.getByText('2 older trimmed')).toBeTruthy();
  });

  it('reports clicks with their modifier keys', () => {
    const stream = new PaneStream(100);
    stream.append([entry('a', { id: 'a' })]);
    const { onLineClick } = renderPane(stream);
    fireEvent.click(row('a'), { shiftKey: true });
    expect(onLineClick).toHaveBeenCalledTimes(1);
    const [clicked, seq, event] = onLineClick.mock.calls[0]!;
    expect(clicked.line.id).toBe('a');
    expect(seq).toBe(0);
    expect(event.shiftKey).toBe(true);
  });

  it('marks selected and highlighted rows', () => {
    const stream = new PaneStream(100);
    stream.append([entry('a', { id: 'a' }), entry('b', { id: 'b' })]);
    renderPane(stream, { selectedIds: new Set(['a']), highlightId: 'b' });
    expect(row('a').getAttribute('aria-selected')).toBe('true');
    expect(row('b').classList.contains('log-row--highlighted')).toBe(true);
  });

  it('pretty-prints a JSON line on demand', () => {
    const stream = new PaneStream(100);
    stream.append([entry('INFO {"user":"ann","n":1}', { id: 'j' })]);
    renderPane(stream);
    fireEvent.click(within(row('j')).getByTitle('Pretty-print JSON'));
    expect(row('j').querySelector('pre')?.textContent).toBe('INFO\n{\n  "user": "ann",\n  "n": 1\n}');
  });

  it('offers to pretty-print only lines whose JSON parses', () => {
    const stream = new PaneStream(100);
    stream.append([entry('INFO [payments] charge ok card=[REDACTED]', { id: 'redacted' }), entry('{"level":"info","msg":"ok"}', { id: 'json' })]);
    renderPane(stream);
    expect(within(row('redacted')).queryByTitle('Pretty-print JSON')).toBeNull();
    expect(within(row('json')).getByTitle('Pretty-print JSON')).toBeTruthy();
  });

  it('shows the hint while the stream is empty', () => {
    renderPane(new PaneStream(10));
    expect(screen.getByText('nothing yet')).toBeTruthy();
  });

  // The test layout makes the pane 800px wide: about 70 characters of text beside time, host and file.
  it('shows a line that fits its row from its start, even when the match lies past the 40th character', () => {
    const text = '2024-05-01T12:00:00Z INFO [checkout] cart saved status=503 in 12ms';
    const start = text.indexOf('status=503');
    expect(start).toBeGreaterThan(40);
    const stream = new PaneStream(100);
    stream.append([entry(text, { id: 'fits', ranges: [[start, start + 10]] })]);
    renderPane(stream);
    expect(row('fits').querySelector('[aria-label="line starts earlier"]')).toBeNull();
    expect(row('fits').querySelector('.log-row__text')?.textContent).toBe(text);
  });

  // Issue 22: the start of a line (method, path, level) carries the most meaning; the end is ellipsized.
  it('keeps the start of a long collapsed row when its match lies out of view, and offers to show the whole line', () => {
    const text = `GET /search ${'k=v '.repeat(60)}status=503 done`;
    const stream = new PaneStream(100);
    stream.append([entry(text, { id: 'far', ranges: [[252, 262]] })]);
    renderPane(stream);
    expect(row('far').querySelector('[aria-label="line starts earlier"]')).toBeNull();
    expect(row('far').querySelector('.log-row__text')?.textContent?.startsWith('GET /search k=v')).toBe(true);
    expect(row('far').querySelector('mark')?.textContent).toBe('status=503');
    fireEvent.click(within(row('far')).getByTitle('Show the whole line'));
    expect(row('far').querySelector('.log-row__text')?.textContent).toBe(text);
  });
});
