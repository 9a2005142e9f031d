import { act, render } from '@testing-library/react';
import { vi } from 'vitest';
import { App } from '../../../ui/src/app/app.js';
import { loadToken } from '../../../ui/src/lib/api/token-store.js';
import { FakeApi } from './fake-api.js';
import { installLayout } from './layout.js';
import { fakeSession } from './session.js';

/**
 * The whole App over a fake hub socket and a fake HTTP API, with the layout jsdom lacks and a
 * clipboard that records what is written. Call inside a test that uses fake timers.
 */
export function renderApp(search = '', hash = '', api = new FakeApi()) {
  const restoreLayout = installLayout();
  window.history.replaceState(null, '', `/${search}${hash}`);
  const writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(window.navigator, 'clipboard', { configurable: true, value: { writeText } });
  const fake = fakeSession(search, hash, { getToken: loadToken, api });
  const view = render(<App createSession={() => fake.session} />);
  return { ...fake, view, writeText, restoreLayout };
}

/** Lets resolved API promises (and the renders they cause) run. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  });
}
