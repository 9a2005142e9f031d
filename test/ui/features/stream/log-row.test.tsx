import { render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LogRow } from '../../../../ui/src/features/stream/log-row.js';
import type { MatchedLine } from '../../../../protocol/index.js';
import { line } from '../../helpers/fake-hub.js';

const RECEIVED = Date.UTC(2024, 4, 1, 12, 0, 5, 250);
const STATED = Date.UTC(2024, 4, 1, 12, 0, 2, 125);

function renderRow(matched: MatchedLine): HTMLTimeElement {
  const { container } = render(
    <LogRow entry={{ kind: 'line', line: matched, backlog: false }} seq={1} selected={false} highlighted={false} expansion={undefined} wrapAll={false} rowChars={200} onClick={vi.fn()} onExpand={vi.fn()} />,
  );
  return container.querySelector('time.log-row__time')!;
}

describe('LogRow time', () => {
  it('shows the time the line states, with both times in the tooltip', () => {
    const time = renderRow(line('2024-05-01T12:00:02.125Z GET /x', { ts: RECEIVED, eventTs: STATED }));
    expect(time.textContent).toBe('12:00:02.125');
    expect(time.getAttribute('datetime')).toBe('2024-05-01T12:00:02.125Z');
    expect(time.classList.contains('log-row__time--received')).toBe(false);
    expect(time.getAttribute('title')).toBe('stated in the line: 2024-05-01T12:00:02.125Z; received 2024-05-01T12:00:05.250Z');
  });

  it('falls back to the received time, marked with ~ and said so in the tooltip, when the line states none', () => {
    const time = renderRow(line('GET /x with no time', { ts: RECEIVED }));
    expect(time.textContent).toBe('~12:00:05.250');
    expect(time.querySelector('.log-row__time-mark')!.textContent).toBe('~');
    expect(time.getAttribute('datetime')).toBe('2024-05-01T12:00:05.250Z');
    expect(time.classList.contains('log-row__time--received')).toBe(true);
    expect(time.getAttribute('title')).toBe('~ received 2024-05-01T12:00:05.250Z: the line states no time of its own');
  });
});

const TRACE = ['ERROR request failed: java.lang.NullPointerException', '\tat a.B.c(B.java:1)', 'Caused by: java.lang.NullPointerException', '\t... 2 more'].join('\n');

function renderEvent(matched: MatchedLine, expansion: 'event' | undefined = undefined, onExpand = vi.fn()) {
  const { container } = render(
    <LogRow entry={{ kind: 'line', line: matched, backlog: false }} seq={1} selected={false} highlighted={false} expansion={expansion} wrapAll={false} rowChars={200} onClick={vi.fn()} onExpand={onExpand} />,
  );
  const row = container.querySelector<HTMLElement>('.log-row')!;
  return { row, text: row.querySelector('.log-row__text')!, toggle: row.querySelector<HTMLElement>('[data-action="event"]') };
}

/** Ranges of every "NullPointerException" in the event's '\n' text, as the hub gives them. */
function rangesOf(text: string, word: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) ranges.push([at, at + word.length]);
  return ranges;
}

describe('LogRow of an event', () => {
  it('shows only the head, with "+N lines", and marks the toggle when a match is in the hidden lines', () => {
    const { row, text, toggle } = renderEvent(line(TRACE, { ranges: rangesOf(TRACE, 'NullPointerException') }));
    expect(text.textContent).toBe('ERROR request failed: java.lang.NullPointerException');
    expect(text.querySelectorAll('mark')).toHaveLength(1);
    expect(toggle!.textContent).toBe('+3 lines');
    expect(toggle!.dataset.match).toBe('true');
    expect(toggle!.dataset.pressed).toBe('false');
    expect(row.dataset.level).toBe('error');
  });

  it('does not mark the toggle when every match is in the head', () => {
    const { toggle } = renderEvent(line(TRACE, { ranges: [[0, 5]] }));
    expect(toggle!.dataset.match).toBeUndefined();
  });

  it('opens and closes through onExpand, without selecting the row', () => {
    const onExpand = vi.fn();
    const { toggle } = renderEvent(line(TRACE, { id: 'ev1' }), undefined, onExpand);
    toggle!.click();
    expect(onExpand).toHaveBeenCalledWith('ev1', 'event');
    const open = renderEvent(line(TRACE, { id: 'ev2' }), 'event', onExpand);
    open.toggle!.click();
    expect(onExpand).toHaveBeenLastCalledWith('ev2', undefined);
  });

  it('opened, shows every line with the matches drawn on the lines they fall on', () => {
    const { row, text, toggle } = renderEvent(line(TRACE, { ranges: rangesOf(TRACE, 'NullPointerException') }), 'event');
    expect(text.textContent).toBe(TRACE);
    const marks = [...text.querySelectorAll('mark')].map((mark) => mark.textContent);
    expect(marks).toEqual(['NullPointerException', 'NullPointerException']);
    expect(row.classList.contains('log-row--wrap')).toBe(true);
    expect(toggle!.textContent).toBe('− 3 lines');
    expect(toggle!.dataset.match).toBeUndefined();
  });

  it('takes its level from the head only', () => {
    const { row } = renderEvent(line(['starting worker', 'ERROR is a word in this frame'].join('\n')));
    expect(row.dataset.level).toBeUndefined();
  });

  it('offers no toggle on a single line', () => {
    expect(renderEvent(line('one line')).toggle).toBeNull();
  });
});

describe('LogRow source', () => {
  it('shows a container log as namespace/pod/container, with the labels and the path on hover', () => {
    const file = '/var/log/pods/shop_checkout-7d9f8b6c4-x2x9q_5f0e1c2a/app/0.log';
    const { row } = renderEvent(line('x', { file }));
    const source = row.querySelector('.log-row__file')!;
    expect(source.textContent).toBe('shop/checkout-7d9f8b6c4-x2x9q/app');
    expect(source.classList.contains('log-row__file--pod')).toBe(true);
    expect(source.getAttribute('title')).toBe(`namespace shop, pod checkout-7d9f8b6c4-x2x9q, container app\n${file}`);
  });

  it('shows any other file by its name, with the path on hover', () => {
    const { row } = renderEvent(line('x', { file: '/var/log/nginx/access.log' }));
    const source = row.querySelector('.log-row__file')!;
    expect(source.textContent).toBe('access.log');
    expect(source.getAttribute('title')).toBe('/var/log/nginx/access.log');
  });
});
