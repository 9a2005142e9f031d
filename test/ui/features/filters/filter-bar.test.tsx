import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FilterSpec, SourceAgent } from '../../../../protocol/index.js';
import { FilterBar, TYPING_DEBOUNCE_MS } from '../../../../ui/src/features/filters/filter-bar.js';
import type { SubscriptionStatus } from '../../../../ui/src/lib/hub/subscription-registry.js';

const agents: SourceAgent[] = [
  { host: 'web-1', connected: true, files: [{ path: '/var/log/app.log', linesPerSec: 1200 }, { path: '/var/log/app[1].log', linesPerSec: 3 }] },
  { host: 'web-2', connected: false, files: [{ path: '/var/log/app.log', linesPerSec: 0 }] },
];

function renderBar(filter: FilterSpec = { query: '' }, status?: SubscriptionStatus) {
  const onChange = vi.fn();
  const utils = render(<FilterBar paneId="p1" filter={filter} status={status} agents={agents} ratesLive onChange={onChange} />);
  return { ...utils, onChange };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FilterBar', () => {
  it('commits the pattern once typing pauses, not on every keystroke', () => {
    const { onChange } = renderBar();
    const input = screen.getByLabelText('Filter pattern');
    fireEvent.change(input, { target: { value: 's' } });
    fireEvent.change(input, { target: { value: 'status=5' } });
    act(() => vi.advanceTimersByTime(TYPING_DEBOUNCE_MS - 1));
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'status=5\\d\\d' } });
    act(() => vi.advanceTimersByTime(TYPING_DEBOUNCE_MS));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith({ query: 'status=5\\d\\d' });
  });

  it('commits at once on Enter', () => {
    const { onChange } = renderBar();
    const input = screen.getByLabelText('Filter pattern');
    fireEvent.change(input, { target: { value: 'ERROR' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onChange).toHaveBeenCalledWith({ query: 'ERROR' });
  });

  it('keeps what the user typed when an older debounced value comes back as the filter', () => {
    const { onChange, rerender } = renderBar();
    const input = screen.getByLabelText('Filter pattern') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'ab' } });
    act(() => vi.advanceTimersByTime(TYPING_DEBOUNCE_MS));
    fireEvent.change(input, { target: { value: 'abc' } });
    rerender(<FilterBar paneId="p1" filter={{ query: 'ab' }} status={undefined} agents={agents} ratesLive onChange={onChange} />);
    expect(input.value).toBe('abc');
    // A change from elsewhere (another tab's URL, a reset) does replace it.
    rerender(<FilterBar paneId="p1" filter={{ query: 'other' }} status={undefined} agents={agents} ratesLive onChange={onChange} />);
    expect(input.value).toBe('other');
  });

  it("shows the hub's bad-regex message next to the box", () => {
    renderBar({ query: 'a(' }, { state: 'error', code: 'SG_ERR_BAD_REGEX', message: 'missing ): a(' });
    expect(screen.getByRole('alert').textContent).toBe('missing ): a(');
    expect(screen.getByLabelText('Filter pattern').getAttribute('aria-invalid')).toBe('true');
  });

  it('toggles case-insensitivity and debounces the exclude box', () => {
    const { onChange } = renderBar({ query: 'error' });
    fireEvent.click(screen.getByRole('button', { name: 'Aa' }));
    expect(onChange).toHaveBeenLastCalledWith({ query: 'error', caseInsensitive: true });
    fireEvent.change(screen.getByLabelText('Exclude pattern'), { target: { value: 'healthz' } });
    act(() => vi.advanceTimersByTime(TYPING_DEBOUNCE_MS));
    expect(onChange).toHaveBeenLastCalledWith({ query: 'error', exclude: 'healthz' });
  });

  it('lists hosts with live rates and picks one as an escaped glob', () => {
    const { onChange } = renderBar();
    fireEvent.click(screen.getByRole('button', { name: 'All hosts' }));
    const list = screen.getByRole('list', { name: 'hosts' });
    expect(within(list).getByText('web-1').closest('label')?.textContent).toContain('1.2k/s');
    expect(within(list).getByText('web-2').closest('label')?.textContent).toContain('offline');
    fireEvent.click(within(list).getByText('web-1'));
    expect(onChange).toHaveBeenLastCalledWith({ query: '', hosts: ['web-1'] });
  });

  it('lists files once per path and escapes glob characters in a picked path', () => {
    const { onChange } = renderBar();
    fireEvent.click(screen.getByRole('button', { name: 'All files' }));
    const list = screen.getByRole('list', { name: 'files' });
    expect(within(list).getAllByText('/var/log/app.log')).toHaveLength(1);
    fireEvent.click(within(list).getByText('/var/log/app[1].log'));
    expect(onChange).toHaveBeenLastCalledWith({ query: '', files: ['/var/log/app\\[1\\].log'] });
  });

  it('says so when the hub listed only some of the hosts it knows', () => {
    render(<FilterBar paneId="p1" filter={{ query: '' }} status={undefined} agents={agents} sourcesTotal={{ agents: 3000, files: 3500 }} ratesLive onChange={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'All hosts' }));
    expect(screen.getByText(/The hub knows 3000 hosts and lists the busiest; add a glob for the others/)).toBeTruthy();
  });

  it('takes a custom glob', () => {
    const { onChange } = renderBar();
    fireEvent.click(screen.getByRole('button', { name: 'All hosts' }));
    fireEvent.change(screen.getByLabelText('Add a host glob'), { target: { value: 'db-*' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(onChange).toHaveBeenLastCalledWith({ query: '', hosts: ['db-*'] });
  });

  it('offers namespace, pod and container pickers only once an agent reports a container log, or the filter has them', () => {
    renderBar();
    expect(screen.queryByRole('button', { name: 'All namespaces' })).toBeNull();
    const { unmount } = render(<FilterBar paneId="p2" filter={{ query: '', pods: ['checkout-*'] }} status={undefined} agents={agents} ratesLive onChange={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'checkout-*' })).toBeTruthy();
    unmount();

    const onChange = vi.fn();
    const nodes: SourceAgent[] = [{ host: 'node-1', connected: true, files: [{ path: '/var/log/pods/shop_checkout-1_0d2c/app/0.log', linesPerSec: 5 }] }];
    render(<FilterBar paneId="p3" filter={{ query: 'x', hosts: ['node-*'] }} status={undefined} agents={nodes} ratesLive onChange={onChange} />);
    fireEvent.click(screen.getByRole('button', { name: 'All namespaces' }));
    fireEvent.click(within(screen.getByRole('list', { name: 'namespaces' })).getByText('shop'));
    expect(onChange).toHaveBeenLastCalledWith({ query: 'x', hosts: ['node-*'], namespaces: ['shop'] });
    expect(screen.getByRole('button', { name: 'All pods' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'All containers' })).toBeTruthy();
  });
});
