import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { captureMarkdown, type Capture } from '../../../../protocol/index.js';
import { CaptureForm } from '../../../../ui/src/features/captures/capture-form.js';
import { captureIdFromPath, capturePermalink, toCaptureLines } from '../../../../ui/src/features/captures/capture-lines.js';
import { CapturePage } from '../../../../ui/src/features/captures/capture-page.js';

const capture: Capture = {
  id: 'k3x9q2aa0b1c2d3e',
  title: 'Checkout 502s after web v1.2.3',
  createdBy: 'alice',
  createdAt: Date.UTC(2024, 4, 1, 12, 5, 0),
  filter: { query: 'status=5\\d\\d', exclude: 'healthcheck', caseInsensitive: true, hosts: ['web-*'] },
  lines: [
    // The first two state their own time (eventTs); the third states none and shows when it was received.
    { host: 'web-1', file: '/var/log/nginx/access.log', ts: Date.UTC(2024, 4, 1, 12, 0, 1, 300), eventTs: Date.UTC(2024, 4, 1, 12, 0, 1, 250), line: 'GET /checkout status=502 rt=3.1' },
    { host: 'web-2', file: '/srv/app/app.log', ts: Date.UTC(2024, 4, 1, 12, 0, 4), eventTs: Date.UTC(2024, 4, 1, 12, 0, 3, 5), line: '<script>alert(1)</script><b onclick="x()">bold</b>' },
    { host: 'web-2', file: '/srv/app/app.log', ts: Date.UTC(2024, 4, 1, 12, 0, 2), line: '\u001b[31mERROR\u001b[0m payment declined \u202eevil' },
  ],
};

function renderPage(overrides: { capture?: Capture; liveUrl?: string | undefined } = {}) {
  const props = {
    capture,
    permalink: 'https://hub.example/captures/k3x9q2aa0b1c2d3e',
    liveUrl: '/?q=status%3D5%5Cd%5Cd' as string | undefined,
    copyText: vi.fn(async (_text: string) => true),
    download: vi.fn(),
    ...overrides,
  };
  render(<CapturePage {...props} />);
  return props;
}

describe('CapturePage', () => {
  it('shows the title, who saved it and when, the filter, the time range and every line with its host, file and time', () => {
    renderPage();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Checkout 502s after web v1.2.3');
    const meta = document.querySelector('.capture__meta')!;
    expect([...meta.querySelectorAll('dd')].map((dd) => dd.textContent)).toEqual([
      'by alice, 2024-05-01 12:05:00 UTC',
      'status=5\\d\\d excluding healthcheck · case-insensitive · hosts web-*',
      '3 lines, 2024-05-01 12:00:01 UTC to 2024-05-01 12:00:03 UTC',
    ]);
    const rows = [...document.querySelectorAll('tr.capture-line')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['12:00:01.250', 'web-1', 'access.log', 'GET /checkout status=502 rt=3.1'],
      ['12:00:03.005', 'web-2', 'app.log', '<script>alert(1)</script><b onclick="x()">bold</b>'],
      ['~12:00:02.000', 'web-2', 'app.log', 'ERROR payment declined <U+202E>evil'],
    ]);
    const times = [...document.querySelectorAll('tr.capture-line time')];
    expect(times.map((time) => time.getAttribute('datetime'))).toEqual(['2024-05-01T12:00:01.250Z', '2024-05-01T12:00:03.005Z', '2024-05-01T12:00:02.000Z']);
    expect(times[0]!.getAttribute('title')).toBe('stated in the line: 2024-05-01T12:00:01.250Z; received 2024-05-01T12:00:01.300Z');
    expect(times[2]!.getAttribute('title')).toBe('~ received 2024-05-01T12:00:02.000Z: the line states no time of its own');
    expect(document.querySelector('tr.capture-line td[title="/var/log/nginx/access.log"]')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Watch this filter live' }).getAttribute('href')).toBe('/?q=status%3D5%5Cd%5Cd');
    // No live stream on this page.
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('shows the time range searched when the capture was made from a search', () => {
    renderPage({ capture: { ...capture, range: { from: Date.UTC(2024, 4, 1, 11, 45), to: Date.UTC(2024, 4, 1, 12, 30) } } });
    const meta = document.querySelector('.capture__meta')!;
    const terms = [...meta.querySelectorAll('dt')].map((dt) => dt.textContent);
    expect(terms).toEqual(['Saved', 'Filter', 'Searched', 'Lines']);
    expect(meta.querySelector('.capture__range')?.textContent).toBe('2024-05-01 11:45:00 UTC to 2024-05-01 12:30:00 UTC');
  });

  it('shows a timestamp no date can represent as invalid instead of failing to render', () => {
    renderPage({ capture: { ...capture, lines: [{ ...capture.lines[2]!, ts: 1e300 }] } });
    const cell = document.querySelector('tr.capture-line td')!;
    expect(cell.textContent).toBe('~invalid time');
    expect(cell.querySelector('time')!.getAttribute('title')).toBe('~ received invalid-time(1e+300): the line states no time of its own');
    expect(document.querySelector('.capture__meta')!.textContent).toContain('1 line, invalid-time(1e+300) to invalid-time(1e+300)');
  });

  it('renders lines as text only: markup in a line never becomes elements', () => {
    renderPage();
    const text = document.querySelectorAll('.capture-line__text')[1]!;
    expect(text.querySelector('script, b')).toBeNull();
    expect(document.querySelector('.capture script, .capture b')).toBeNull();
    // Colours from ANSI escapes are kept, as spans; the error line is marked by its level.
    expect(document.querySelectorAll('tr.capture-line')[2]!.getAttribute('data-level')).toBe('error');
  });

  it('copies the shared Markdown with the link to this page, or offers it to copy by hand when the page may not use the clipboard', async () => {
    const props = renderPage();
    const expected = captureMarkdown(capture, 'https://hub.example/captures/k3x9q2aa0b1c2d3e');
    expect(expected).toContain('- Capture: <https://hub.example/captures/k3x9q2aa0b1c2d3e>');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy as Markdown' })));
    expect(props.copyText).toHaveBeenCalledWith(expected);
    expect(screen.getByRole('status').textContent).toBe('Copied as Markdown');

    props.copyText.mockResolvedValueOnce(false);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy as Markdown' })));
    const dialog = screen.getByRole('dialog', { name: 'Copy the capture as Markdown' });
    expect((within(dialog).getByRole('textbox') as HTMLTextAreaElement).value).toBe(expected);
  });

  it('downloads the Markdown as a file and copies the link', async () => {
    const props = renderPage();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Download .md' })));
    expect(props.download).toHaveBeenCalledWith(captureMarkdown(capture, 'https://hub.example/captures/k3x9q2aa0b1c2d3e'), 'capture-k3x9q2aa0b1c2d3e.md');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy link' })));
    expect(props.copyText).toHaveBeenLastCalledWith('https://hub.example/captures/k3x9q2aa0b1c2d3e');
    expect(screen.getByRole('status').textContent).toBe('Link copied');
  });

  it('shows the deploys saved with the capture as dividers among its lines, and anchors each line for its permalink', () => {
    const startedAt = Date.UTC(2024, 4, 1, 12, 0, 1, 500);
    renderPage({ capture: { ...capture, deploys: [{ id: 'd1', label: 'web v1.2.3', by: 'ci', startedAt, createdAt: startedAt }] } });
    const rows = [...document.querySelectorAll('.capture__lines tbody tr')];
    expect(rows.map((row) => row.className)).toEqual(['capture-line', 'capture-deploy', 'capture-line', 'capture-line']);
    expect(rows[1]!.textContent).toBe('──── deploy web v1.2.3 by ci at 2024-05-01T12:00:01.500Z ────');
    expect(rows.filter((row) => row.className === 'capture-line').map((row) => row.id)).toEqual(['L1', 'L2', 'L3']);
    expect(document.querySelector('.capture__meta')!.textContent).toContain('1 during these lines, shown as dividers');
  });

  it('says so when no filter was recorded, and has no live link then', () => {
    renderPage({ capture: { ...capture, filter: undefined, createdBy: undefined }, liveUrl: undefined });
    expect(document.querySelectorAll('.capture__meta dd')[0]!.textContent).toBe('2024-05-01 12:05:00 UTC');
    expect(document.querySelectorAll('.capture__meta dd')[1]!.textContent).toBe('none recorded');
    expect(screen.queryByRole('link', { name: 'Watch this filter live' })).toBeNull();
  });
});

describe('CaptureForm', () => {
  it('refuses more lines than a capture holds before asking the hub', () => {
    const onSave = vi.fn(async () => undefined);
    render(<CaptureForm lineCount={10_001} onSave={onSave} onClose={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Capture title'), { target: { value: 'too many' } });
    expect(screen.getByRole('alert').textContent).toBe('A capture holds at most 10,000 lines; 10,001 are selected. Select fewer.');
    expect((screen.getByRole('button', { name: 'Save 10,001 lines' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.submit(screen.getByRole('form', { name: 'Save capture' }));
    expect(onSave).not.toHaveBeenCalled();
  });
});

describe('capture links', () => {
  it('builds the permalink from the page origin and the relative URL the hub answers', () => {
    expect(capturePermalink('https://hub.example', '/captures/abc')).toBe('https://hub.example/captures/abc');
    expect(capturePermalink('http://127.0.0.1:7070', '/captures/abc')).toBe('http://127.0.0.1:7070/captures/abc');
  });

  it('recognizes capture pages and nothing else', () => {
    expect(captureIdFromPath('/captures/k3x9q2aa0b1c2d3e')).toBe('k3x9q2aa0b1c2d3e');
    expect(captureIdFromPath('/captures/k3x9/')).toBe('k3x9');
    expect(captureIdFromPath('/')).toBeUndefined();
    expect(captureIdFromPath('/captures/')).toBeUndefined();
    expect(captureIdFromPath('/captures/a/b')).toBeUndefined();
    expect(captureIdFromPath('/captures/%3Cscript%3E')).toBeUndefined();
  });

  it('keeps only where, when and what of each line', () => {
    expect(toCaptureLines([{ id: 'l1', host: 'h', file: 'f', ts: 1, line: 'x', truncated: true }])).toStrictEqual([{ host: 'h', file: 'f', ts: 1, line: 'x' }]);
    expect(toCaptureLines([{ id: 'l2', host: 'h', file: 'f', ts: 2, eventTs: 1, line: 'y' }])).toStrictEqual([{ host: 'h', file: 'f', ts: 2, eventTs: 1, line: 'y' }]);
  });
});
