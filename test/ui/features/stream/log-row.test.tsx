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
