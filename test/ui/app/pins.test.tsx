import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PinRate } from '../../../protocol/index.js';
import { ApiError } from '../../../ui/src/lib/api/api-client.js';
import { FakeApi, deploy, pin } from '../helpers/fake-api.js';
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

function start(search = '', api = new FakeApi(), welcome: Parameters<ReturnType<typeof renderApp>['hub']['current']['accept']>[0] = {}) {
  const app = renderApp(search, '', api);
  cleanupLayout = app.restoreLayout;
  act(() => app.hub.current.accept(welcome));
  return app;
}

const bar = () => screen.getByRole('navigation', { name: 'Pins' });
const chip = (name: string) => {
  const item = bar().querySelector(`li[data-pin-id="pin-${name.replace(/\W+/g, '-')}"]`);
  if (!(item instanceof HTMLElement)) throw new Error(`no pin chip for ${name}`);
  return item;
};

describe('pins bar', () => {
  it("lists the hub's pins once connected, each with its count since the last deploy against the span before", async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValue([pin('checkout errors')]);
    api.listDeploys.mockResolvedValue([deploy('web v1.2.3', NOW - 60_000, { by: 'ci' })]);
    // 3 matches per 10 s since the deploy a minute ago, 1 per 10 s before it.
    api.pinRate.mockImplementation(async (id: string, since: number): Promise<PinRate> => {
      const buckets = [];
      for (let ts = Math.floor(since / 10_000) * 10_000; ts <= NOW; ts += 10_000) buckets.push({ ts, count: ts >= NOW - 60_000 ? 3 : 1 });
      return { pinId: id, bucketMs: 10_000, buckets };
    });
    start('', api);
    await settle();
    await settle();

    const item = chip('checkout errors');
    expect(item.querySelector('.since-deploy')?.textContent).toBe('since last deploy: 18 (before: 6)');
    expect(item.querySelector('.since-deploy')?.className).toContain('since-deploy--worse');
    const sparkline = item.querySelector('svg.sparkline')!;
    expect(sparkline.getAttribute('aria-label')).toMatch(/^checkout errors: 372 matches in the last 60 min, at most 3 per 10 s; 1 deploy$/);
    expect(sparkline.querySelector('path.sparkline__line')?.getAttribute('d')).toMatch(/^M/);
    expect(sparkline.querySelectorAll('line.sparkline__deploy')).toHaveLength(1);
    expect(within(bar()).getByText(/Last deploy:/).textContent).toBe('Last deploy: web v1.2.3 by ci · 11:59:00 (1 min ago)');
  });

  it('follows pins created and deleted by anyone, including while the list is on its way', async () => {
    const api = new FakeApi();
    let answer: (pins: ReturnType<typeof pin>[]) => void = () => undefined;
    api.listPins.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const { hub } = start('', api);
    expect(within(bar()).getByText('Loading pins…')).toBeTruthy();

    // Created by someone else before our list arrives: it must survive the list.
    act(() => hub.current.receive({ type: 'pin', action: 'created', pin: pin('late', { createdAt: 5 }) }));
    await act(async () => answer([pin('early', { createdAt: 1 })]));
    expect([...bar().querySelectorAll('.pin-chip__name')].map((name) => name.textContent)).toEqual(['early', 'late']);

    act(() => hub.current.receive({ type: 'pin', action: 'deleted', pin: pin('early', { createdAt: 1 }) }));
    expect([...bar().querySelectorAll('.pin-chip__name')].map((name) => name.textContent)).toEqual(['late']);
    act(() => hub.current.receive({ type: 'pin', action: 'deleted', pin: pin('late', { createdAt: 5 }) }));
    expect(within(bar()).getByText(/No pins yet/)).toBeTruthy();
  });

  it('lists pins again after a reconnect (events sent while away are lost)', async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValueOnce([pin('a')]).mockResolvedValueOnce([pin('a'), pin('b')]);
    const { hub } = start('', api);
    await settle();
    expect(bar().querySelectorAll('.pin-chip')).toHaveLength(1);
    act(() => hub.current.serverClose(1006));
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    act(() => hub.current.accept());
    await settle();
    expect(api.listPins).toHaveBeenCalledTimes(2);
    expect(bar().querySelectorAll('.pin-chip')).toHaveLength(2);
  });

  it('opens a pin as a pane with its filter, kept in the URL; a blank pane takes it, else a new one', async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValue([pin('timeouts', { query: 'timeout', caseInsensitive: true, hosts: ['web-*'] }), pin('oom', { query: 'OutOfMemory' })]);
    const { hub } = start('', api);
    await settle();

    fireEvent.click(within(chip('timeouts')).getByRole('button', { name: /^timeouts/ }));
    expect(window.location.search).toBe('?q=timeout&i=1&h=web-*&p=pin-timeouts');
    expect(hub.current.sentOfType('subscribe').at(-1)).toMatchObject({ sub: 'p1', filter: { query: 'timeout', caseInsensitive: true, hosts: ['web-*'] } });
    expect(screen.getByRole('group', { name: 'Pin timeouts' })).toBeTruthy();
    expect(chip('timeouts').className).toContain('pin-chip--open');

    fireEvent.click(within(chip('oom')).getByRole('button', { name: /^oom/ }));
    expect(document.querySelectorAll('section.pane')).toHaveLength(2);
    expect(window.location.search).toBe('?q=timeout&i=1&h=web-*&p=pin-timeouts&q2=OutOfMemory&p2=pin-oom&active=2');
    // Opening an open pin again only brings its pane forward.
    fireEvent.click(within(chip('timeouts')).getByRole('button', { name: /^timeouts/ }));
    expect(document.querySelectorAll('section.pane')).toHaveLength(2);
    expect(new URLSearchParams(window.location.search).get('active')).toBeNull();

    // Editing a pinned pane's filter makes it an ordinary pane again.
    const input = within(document.querySelector('section.pane') as HTMLElement).getByLabelText('Filter pattern');
    fireEvent.change(input, { target: { value: 'timeout|deadline' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(new URLSearchParams(window.location.search).get('p')).toBeNull();
    expect(screen.queryByRole('group', { name: 'Pin timeouts' })).toBeNull();
  });

  it('forgets the pin of a pane from a URL when the hub no longer has it', async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValue([pin('kept')]);
    start('?q=gone&p=pin-gone&q2=kept&p2=pin-kept', api);
    await settle();
    expect(window.location.search).toBe('?q=gone&q2=kept&p2=pin-kept');
  });

  it('deletes a pin only after confirmation, and says why when the hub refuses', async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValue([pin('noisy')]);
    start('', api);
    await settle();

    fireEvent.click(screen.getByRole('button', { name: 'Delete pin noisy' }));
    expect(within(chip('noisy')).getByRole('alert').textContent).toBe('Delete the pin “noisy” for everyone?');
    fireEvent.click(within(chip('noisy')).getByRole('button', { name: 'Cancel' }));
    expect(api.deletePin).not.toHaveBeenCalled();

    api.deletePin.mockRejectedValueOnce(new ApiError(403, 'SG_ERR_FORBIDDEN', 'ops may read but not change anything: DELETE needs an editor'));
    fireEvent.click(screen.getByRole('button', { name: 'Delete pin noisy' }));
    await act(async () => fireEvent.click(within(chip('noisy')).getByRole('button', { name: 'Delete' })));
    expect(chip('noisy').querySelector('.pin-chip__error')?.textContent).toBe(
      'You cannot delete this pin: your sign-in lets you view but not change anything on this hub. Ask for an editor token. (ops may read but not change anything: DELETE needs an editor)',
    );

    await act(async () => fireEvent.click(within(chip('noisy')).getByRole('button', { name: 'Delete' })));
    expect(api.deletePin).toHaveBeenLastCalledWith('pin-noisy');
    expect(bar().querySelector('.pin-chip')).toBeNull();
  });
});

describe('Pin this filter', () => {
  it('asks for a name in place, creates the pin with the pane filter and shows the pane as pinned', async () => {
    const api = new FakeApi();
    const { view } = start('?q=ERROR&x=healthcheck', api);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Pin' }));
    const form = screen.getByRole('form', { name: 'Pin this filter' });
    const name = within(form).getByLabelText('Pin name') as HTMLInputElement;
    expect(name.value).toBe('ERROR');
    expect(document.activeElement).toBe(name);
    fireEvent.change(name, { target: { value: '  app errors ' } });
    await act(async () => fireEvent.submit(form));

    expect(api.createPin).toHaveBeenCalledWith({ name: 'app errors', query: 'ERROR', exclude: 'healthcheck' });
    expect(screen.queryByRole('form', { name: 'Pin this filter' })).toBeNull();
    expect(screen.getByRole('group', { name: 'Pin app errors' })).toBeTruthy();
    expect(window.location.search).toBe('?q=ERROR&x=healthcheck&p=pin-app-errors');
    expect(within(bar()).getByText('app errors')).toBeTruthy();
    expect(view.container.querySelector('.pane__pin')).toBeNull();
  });

  it.each([
    [
      new ApiError(403, 'SG_ERR_FORBIDDEN', 'ops may read but not change anything: POST needs an editor'),
      'You cannot pin this filter: your sign-in lets you view but not change anything on this hub. Ask for an editor token. (ops may read but not change anything: POST needs an editor)',
    ],
    [new ApiError(409, 'SG_ERR_BAD_REQUEST', 'a pin named "errors" already exists'), 'Could not pin this filter: a pin named "errors" already exists'],
  ])('keeps the form open with a readable message when the hub refuses (%s)', async (error, message) => {
    const api = new FakeApi();
    api.createPin.mockRejectedValueOnce(error);
    start('?q=ERROR', api);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Pin' }));
    const form = screen.getByRole('form', { name: 'Pin this filter' });
    await act(async () => fireEvent.submit(form));
    expect(within(form).getByRole('alert').textContent).toBe(message);
    expect(window.location.search).toBe('?q=ERROR');
    // Esc closes the form.
    fireEvent.keyDown(within(form).getByLabelText('Pin name'), { key: 'Escape' });
    expect(screen.queryByRole('form', { name: 'Pin this filter' })).toBeNull();
  });

  it('is not offered to a read-only sign-in', async () => {
    const api = new FakeApi();
    api.listPins.mockResolvedValue([pin('x')]);
    start('?q=ERROR', api, { role: 'viewer', viewer: 'ops' });
    await settle();
    expect((screen.getByRole('button', { name: 'Pin' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Delete pin x' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('read-only')).toBeTruthy();
  });
});

describe('deploy dividers', () => {
  it('shows a divider where the deploy was announced in every pane, linking to the deploy', () => {
    const { hub, frames } = start('?q=a&q2=b');
    act(() => {
      hub.current.receive({ type: 'subscribed', sub: 'p1', filter: { query: 'a' } });
      hub.current.receive({ type: 'subscribed', sub: 'p2', filter: { query: 'b' } });
      hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('a before', { id: 'a1' })] });
      hub.current.receive({ type: 'deploy', deploy: deploy('web v1.2.3', Date.UTC(2024, 4, 1, 14, 2, 11), { by: 'ci', url: 'https://ci.example/runs/42' }) });
      hub.current.receive({ type: 'matches', sub: 'p1', lines: [line('a after', { id: 'a2' })] });
      frames.run();
    });
    const panes = document.querySelectorAll('section.pane');
    for (const pane of panes) {
      const divider = pane.querySelector('.marker-row--deploy')!;
      expect(divider.textContent).toBe('⬆ Deploy web v1.2.3 by ci · 14:02:11');
      expect(divider.querySelector('a')?.getAttribute('href')).toBe('https://ci.example/runs/42');
    }
    const order = [...panes[0]!.querySelectorAll('.stream__item')].map((item) => item.querySelector('[data-line-id]')?.getAttribute('data-line-id') ?? 'deploy');
    expect(order).toEqual(['a1', 'deploy', 'a2']);
  });
});
