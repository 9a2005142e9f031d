import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaptureRoute } from '../../../ui/src/app/capture-route.js';
import { ApiError } from '../../../ui/src/lib/api/api-client.js';
import { HubApi } from '../../../ui/src/lib/api/hub-api.js';
import { loadToken } from '../../../ui/src/lib/api/token-store.js';
import { FakeApi } from '../helpers/fake-api.js';
import { settle } from '../helpers/render-app.js';

const capture = { id: 'abc', title: 'Outage', createdAt: Date.UTC(2024, 4, 1), lines: [{ host: 'web-1', file: '/a.log', ts: Date.UTC(2024, 4, 1), line: 'boom' }] };

beforeEach(() => {
  window.localStorage.clear();
  window.history.replaceState(null, '', '/captures/abc');
});
afterEach(() => {
  document.title = '';
});

describe('the capture page route', () => {
  it('loads the capture and shows it, titled after it', async () => {
    const api = new FakeApi();
    api.getCapture.mockResolvedValueOnce(capture);
    render(<CaptureRoute id="abc" api={api} />);
    expect(screen.getByText('Loading the capture…')).toBeTruthy();
    await settle();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Outage');
    expect(document.title).toBe('Outage · supergrep capture');
    expect(api.getCapture.mock.calls[0]![0]).toBe('abc');
  });

  it('asks for a token when the hub wants one, then loads with it (sent as a bearer header)', async () => {
    const requests: RequestInit[] = [];
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      requests.push(init ?? {});
      const headers = (init?.headers ?? {}) as Record<string, string>;
      if (headers.authorization !== 'Bearer right-token') {
        return new Response(JSON.stringify({ error: { code: 'SG_ERR_UNAUTHORIZED', message: 'a viewer token is required' } }), { status: 401 });
      }
      return new Response(JSON.stringify(capture), { status: 200 });
    };
    render(<CaptureRoute id="abc" api={new HubApi({ getToken: loadToken, fetch })} />);
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Sign in to this hub' });
    expect(within(dialog).queryByRole('alert')).toBeNull();

    fireEvent.change(within(dialog).getByLabelText('Token'), { target: { value: 'wrong' } });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' })));
    await settle();
    expect(within(screen.getByRole('dialog')).getByRole('alert').textContent).toContain('did not accept that token');

    fireEvent.change(within(screen.getByRole('dialog')).getByLabelText('Token'), { target: { value: 'right-token' } });
    await act(async () => fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Sign in' })));
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Outage');
    expect(requests).toHaveLength(3);
  });

  it('says when there is no such capture, and offers a retry on other failures', async () => {
    const api = new FakeApi();
    api.getCapture.mockRejectedValueOnce(new ApiError(404, 'SG_ERR_NOT_FOUND', 'no capture abc'));
    const { unmount } = render(<CaptureRoute id="abc" api={api} />);
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('There is no capture abc on this hub. Check the link.');
    unmount();

    api.getCapture.mockRejectedValueOnce(new ApiError(503, 'SG_ERR_STORAGE', 'the database is busy')).mockResolvedValueOnce(capture);
    render(<CaptureRoute id="abc" api={api} />);
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Could not load this capture: the database is busy Retry');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry' })));
    await settle();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Outage');
  });
});
